#!/usr/bin/env bash
# Runs a command of the README as a new user meets it: in a bare Debian 12 root (debootstrap
# --variant=minbase bookworm, plus git and ca-certificates, nothing else) holding a fresh clone
# of this checkout's HEAD. Needs root (debootstrap, chroot, mounts).
#
#   bash scripts/bare-debian.sh DIR [COMMAND ...]     default COMMAND: bash scripts/test.sh
#
# DIR/base.tar keeps the bare root once made; each call unpacks it afresh into DIR/root, so
# every run starts from the same bare machine. The Debian mirror and apt settings are the
# host's own (/etc/apt: nothing is named here), and the host's CA bundle is given to the root,
# as a machine behind a TLS-inspecting proxy would have it. The log goes to stdout; the exit
# status is the command's.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "bare-debian.sh: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: bash scripts/bare-debian.sh DIR [COMMAND ...]" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mkdir -p "$1" && cd "$1" && pwd)
shift
cmd=("$@")
[ ${#cmd[@]} -gt 0 ] || cmd=(bash scripts/test.sh)
command -v debootstrap >/dev/null || bash "$repo/scripts/apt-missing.sh" debootstrap

if [ ! -f "$dir/base.tar" ]; then
  mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  [ -n "$mirror" ] || { echo "bare-debian.sh: no Debian mirror found in /etc/apt" >&2; exit 2; }
  rm -rf "$dir/base"
  debootstrap --variant=minbase bookworm "$dir/base" "$mirror" >"$dir/debootstrap.log" 2>&1 ||
    { tail -20 "$dir/debootstrap.log" >&2; exit 1; }
  # The host's package sources replace the one line debootstrap wrote.
  rm -f "$dir/base/etc/apt/sources.list"
  cp -a /etc/apt/sources.list.d/. "$dir/base/etc/apt/sources.list.d/" 2>/dev/null || true
  if [ -f /etc/apt/sources.list ]; then cp /etc/apt/sources.list "$dir/base/etc/apt/"; fi
  # The host's apt settings (e.g. a snapshot mirror's Valid-Until), not its package choices.
  for f in /etc/apt/apt.conf.d/*; do grep -qi 'Acquire' "$f" && cp "$f" "$dir/base/etc/apt/apt.conf.d/"; done
  chroot "$dir/base" env DEBIAN_FRONTEND=noninteractive bash -c \
    'apt-get update -qq && apt-get install -y -qq --no-install-recommends git ca-certificates >/dev/null'
  cp /etc/ssl/certs/ca-certificates.crt "$dir/base/etc/ssl/certs/ca-certificates.crt"
  tar -C "$dir/base" -cf "$dir/base.tar" .
  rm -rf "$dir/base"
fi

root=$dir/root
mounts=()
cleanup() {
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$dir/base.tar"
for m in proc sys dev dev/pts; do
  mkdir -p "$root/$m"
  case $m in
    proc) mount -t proc proc "$root/proc" ;;
    sys) mount -t sysfs sys "$root/sys" ;;
    *) mount --bind "/$m" "$root/$m" ;;
  esac
  mounts+=("$root/$m")
done
mkdir -p "$root/dev/shm"
mount -t tmpfs shm "$root/dev/shm"
mounts+=("$root/dev/shm")
git clone -q "$repo" "$root/home/snnsim"
echo "bare-debian: $(git -C "$repo" log -1 --format='%h %s') in a bare Debian $(cat "$root/etc/debian_version") root: ${cmd[*]}"
rc=0
chroot "$root" env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt bash -c 'cd /home/snnsim && "$@"' bash "${cmd[@]}" 2>&1 || rc=$?
echo "bare-debian: exit $rc"
exit $rc
