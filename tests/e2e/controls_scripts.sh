#!/usr/bin/env bash
# bench/sleep_controls.sh and analysis/sleep_controls.py on a tiny network: every state and
# evaluation is made, a rerun does nothing new, and the summary has the tables and the paired
# differences; a file that is not a run file ends with one error line and exit 2.
set -uo pipefail
snnsim=$1 data=$2 python=$3 root=$4
source "$(dirname "$0")/harness.sh"
DATA=$data VALIDATION=100 bash "$root/bench/sleep_controls.sh" "$snnsim" "$work/out" "1 2" 20 60 40 20 >"$work/log" 2>&1 ||
  { cat "$work/log"; fail "bench/sleep_controls.sh"; }
md5=$(md5sum "$work"/out/*.h5)
DATA=$data VALIDATION=100 bash "$root/bench/sleep_controls.sh" "$snnsim" "$work/out" "1 2" 20 60 40 20 >"$work/log2" 2>&1 || fail "rerun"
[ "$md5" = "$(md5sum "$work"/out/*.h5)" ] || fail "a rerun changed the run files (steps should be skipped)"
"$python" "$root/analysis/sleep_controls.py" "$work"/out/seed*.h5 --csv "$work/rows.csv" >"$work/summary.md" ||
  fail "analysis/sleep_controls.py"
for pat in "^seeds: 1, 2" "^\| slept - trained \|" "^\| slept - extra wake" "^\| slept - pruned, train-response" \
  "^\| slept - pruned, rf-variance" "t = 12.706" "pruning fraction chosen on validation"; do
  grep -qE -- "$pat" "$work/summary.md" || fail "summary lacks /$pat/"
done
# 2 seeds x 5 states x (1 clean + 7 Gaussian + 7 salt-and-pepper levels) rows, plus the header
[ "$(wc -l <"$work/rows.csv")" = 151 ] || fail "CSV rows: $(wc -l <"$work/rows.csv")"
printf 'hello' >"$work/bad.h5"
err=$("$python" "$root/analysis/sleep_controls.py" "$work/bad.h5" 2>&1 >/dev/null)
rc=$?
{ [ $rc = 2 ] && printf '%s' "$err" | grep -q "^error: .*bad.h5"; } || fail "a bad file: exit $rc, $err"
if [ "$fails" != 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "controls scripts: all checks passed"
