#!/usr/bin/env bash
# bench/demo_protocol.py recomputes the paper-protocol accuracy from recorded spikes: it must
# agree with what snnsim eval reported, and refuse spikes that belong to another run.
# Usage: demo_protocol.sh SNNSIM DATA_DIR PYTHON SCRIPT
set -euo pipefail
snnsim=$1 data=$2 python=$3 script=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

mkdir "$work/a" "$work/b"
for s in a b; do
    seed=$([[ $s == a ]] && echo 1 || echo 2)
    "$snnsim" train --data "$data" --neurons 20 --train-images 150 --label-images 150 --seed "$seed" --threads 1 \
        --quiet --out "$work/$s/run.h5" >/dev/null
    "$snnsim" eval --data "$data" --run "$work/$s/run.h5" --test-images 200 --threads 1 --record-spikes exc \
        --quiet --json >"$work/$s/eval.json"
done

"$python" "$script" "$work/a/run.h5" >"$work/out.txt"
cat "$work/out.txt"
want=$("$python" -c 'import json,sys; print("%.2f %%" % (100 * json.load(open(sys.argv[1]))["accuracy"]))' \
    "$work/a/eval.json")
grep -q "paper protocol.* $want\$" "$work/out.txt" || { echo "FAIL: paper protocol is not eval's $want"; fail=1; }
grep -q "^demo protocol.* %\$" "$work/out.txt" || { echo "FAIL: no demo protocol line"; fail=1; }

source "$(dirname "$0")/expect_error.sh"
cp "$work/b/spikes/eval_trained.h5" "$work/a/spikes/eval_trained.h5"   # another network's spikes
expect_2 "$python" "$script" "$work/a/run.h5"
# a shorter evaluation after the recorded one: the recorded one is still found and checked
"$snnsim" eval --data "$data" --run "$work/a/run.h5" --test-images 50 --threads 1 --quiet >/dev/null
expect_2 "$python" "$script" "$work/a/run.h5"
"$snnsim" eval --data "$data" --run "$work/b/run.h5" --test-images 50 --threads 1 --quiet >/dev/null
"$python" "$script" "$work/b/run.h5" >"$work/out_b.txt" || { echo "FAIL: recorded evaluation not found"; fail=1; }
grep -q "^images 200," "$work/out_b.txt" || { echo "FAIL: not the 200-image recorded evaluation"; fail=1; }
mkdir "$work/c"
"$snnsim" train --data "$data" --neurons 20 --train-images 30 --seed 3 --threads 1 --quiet --out "$work/c/run.h5" \
    >/dev/null
"$snnsim" eval --data "$data" --run "$work/c/run.h5" --test-images 50 --threads 1 --quiet >/dev/null  # no spikes
expect_2 "$python" "$script" "$work/c/run.h5"
expect_2 "$python" "$script" "$work/b/run.h5" --state slept
expect_2 "$python" "$script" "$work/missing.h5"
echo "not hdf5" >"$work/junk.h5"
expect_2 "$python" "$script" "$work/junk.h5"
exit $fail
