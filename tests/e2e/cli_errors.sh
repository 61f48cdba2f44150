#!/usr/bin/env bash
# Every bad input ends with one error line naming the file/field, the documented exit code,
# and no output file (nor temporary file) left behind.
set -uo pipefail
snnsim=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
passes=0

# expect CODE PATTERN -- command...
expect() {
  local code=$1 pattern=$2
  shift 3
  local err
  err=$("$@" 2>&1 >/dev/null)
  local rc=$?
  local lines
  lines=$(printf '%s\n' "$err" | grep -c 'error:')
  if [ "$rc" != "$code" ] || ! printf '%s' "$err" | grep -qE -- "$pattern" || [ "$lines" != 1 ]; then
    echo "FAIL: expected exit $code and one error line matching /$pattern/: $*"
    echo "      got exit $rc: $err"
    fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
}
no_leftovers() {
  if ls "$work"/out* "$work"/*.tmp-* >/dev/null 2>&1; then
    echo "FAIL: output left behind after an error: $(ls "$work")"
    fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
}

tiny=(--neurons 5 --train-images 10 --label-images 10 --seed 1 --quiet)

# options and config
expect 2 "out RUN.h5 is required" -- "$snnsim" train "${tiny[@]}"
expect 2 "unrecognised option|unknown option" -- "$snnsim" train --bogus 1 --out "$work/out.h5"
expect 2 "neurons must be positive" -- "$snnsim" train --data "$data" --neurons 0 --out "$work/out.h5"
expect 2 "train-images" -- "$snnsim" train --data "$data" --neurons 5 --train-images 0 --out "$work/out.h5"
expect 2 "invalid|neurons" -- "$snnsim" train --data "$data" --neurons abc --out "$work/out.h5"
expect 2 "n_exc must be in 1..65535" -- "$snnsim" train --data "$data" --neurons 65536 --out "$work/out.h5"
expect 2 "exceeds" -- "$snnsim" train --data "$data" --neurons 5 --train-images 70000 --out "$work/out.h5"
expect 2 "tau_m_ms" -- "$snnsim" train --data "$data" "${tiny[@]}" --exc_tau_m_ms -3 --out "$work/out.h5"
expect 2 "integrator" -- "$snnsim" train --data "$data" "${tiny[@]}" --exc_integrator rk4 --out "$work/out.h5"
expect 2 "threads" -- "$snnsim" train --data "$data" "${tiny[@]}" --threads -1 --out "$work/out.h5"
printf 'neurons = 5\nno_such_key = 3\n' >"$work/bad.ini"
expect 2 "bad.ini.*no_such_key" -- "$snnsim" train --data "$data" --config "$work/bad.ini" --out "$work/out.h5"
printf 'neurons = many\n' >"$work/bad2.ini"
expect 2 "bad2.ini" -- "$snnsim" train --data "$data" --config "$work/bad2.ini" --out "$work/out.h5"
expect 2 "missing.ini" -- "$snnsim" train --data "$data" --config "$work/missing.ini" --out "$work/out.h5"
expect 2 "unknown command" -- "$snnsim" frobnicate
no_leftovers

# datasets
expect 3 "nodata.*not found" -- "$snnsim" train --data "$work/nodata" "${tiny[@]}" --out "$work/out.h5"
mkdir -p "$work/corrupt"
cp "$data/train-labels-idx1-ubyte" "$work/corrupt/"
head -c 5000 "$data/train-images-idx3-ubyte" >"$work/corrupt/train-images-idx3-ubyte"
expect 3 "train-images-idx3-ubyte: truncated" -- "$snnsim" train --data "$work/corrupt" "${tiny[@]}" --out "$work/out.h5"
printf 'not an idx file at all' >"$work/corrupt/train-images-idx3-ubyte"
expect 3 "magic" -- "$snnsim" train --data "$work/corrupt" "${tiny[@]}" --out "$work/out.h5"
no_leftovers

# outputs
expect 5 "does not exist" -- "$snnsim" train --data "$data" "${tiny[@]}" --out "$work/no/such/dir/out.h5"
# Unwritable also for root (how CI runs): a path below a regular file.
printf 'a file, not a directory' >"$work/plain"
expect 5 "plain/out.h5: .*(not a directory|does not exist)" -- "$snnsim" train --data "$data" "${tiny[@]}" --out "$work/plain/out.h5"
expect 5 "plain/src.h5: .*(not a directory|does not exist)" -- "$snnsim" src --data "$data" --method sequential --seed 1 --quiet \
  --out "$work/plain/src.h5"
rm -f "$work/plain"
mkdir -p "$work/ro" && chmod 555 "$work/ro"
if [ "$(id -u)" != 0 ]; then
  expect 5 "not writable" -- "$snnsim" train --data "$data" "${tiny[@]}" --out "$work/ro/out.h5"
fi

# guards: a silent network (10 images in a row at the retry cap) stops with a saved state and exit 1
expect 1 "10 images in a row.*max_tries = 3.*network/stopped" -- "$snnsim" train --data "$data" "${tiny[@]}" --input_rate_per_intensity_Hz 0 \
  --max_tries 3 --out "$work/dead.h5"
if ! "$snnsim" describe --run "$work/dead.h5" --state stopped >/dev/null 2>&1; then
  echo "FAIL: the stopped state was not saved"
  fails=$((fails + 1))
fi
"$snnsim" train --data "$data" "${tiny[@]}" --input_rate_per_intensity_Hz 0 --max_tries 2 --max-capped-in-a-row 0 \
  --out "$work/warned.h5" >/dev/null 2>"$work/warn.txt" || { echo "FAIL: --retry-cap warn"; fails=$((fails + 1)); }
grep -q "warning: 10 image(s)" "$work/warn.txt" || { echo "FAIL: no retry-cap warning"; fails=$((fails + 1)); }
rm -f "$work/dead.h5" "$work/warned.h5"

# a good run, then run-file errors
"$snnsim" train --data "$data" "${tiny[@]}" --out "$work/run.h5" >/dev/null || { echo "FAIL: tiny train"; fails=$((fails + 1)); }
expect 5 "exists; pass --force" -- "$snnsim" train --data "$data" "${tiny[@]}" --out "$work/run.h5"
expect 4 "not found" -- "$snnsim" eval --data "$data" --run "$work/nothere.h5" --quiet
printf 'hello' >"$work/text.h5"
expect 4 "not an HDF5 file" -- "$snnsim" eval --data "$data" --run "$work/text.h5" --quiet
expect 4 "network/slept.*state missing" -- "$snnsim" eval --data "$data" --run "$work/run.h5" --state slept --quiet
expect 2 "test-images" -- "$snnsim" eval --data "$data" --run "$work/run.h5" --test-images 0 --quiet
expect 4 "no labels" -- "$snnsim" eval --data "$data" --run "$work/run.h5" --state init --quiet
"$snnsim" eval --data "$data" --run "$work/run.h5" --test-images 20 --quiet >/dev/null || { echo "FAIL: eval"; fails=$((fails + 1)); }
# sleep checkpoint errors
expect 2 "no checkpoint to resume from" -- "$snnsim" sleep --data "$data" --run "$work/run.h5" --resume --quiet
expect 2 "checkpoint-every" -- "$snnsim" sleep --data "$data" --run "$work/run.h5" --checkpoint-every -1 --quiet
printf 'hello' >"$work/run.h5.sleep-slept.ckpt"
expect 4 "not an HDF5 file" -- "$snnsim" sleep --data "$data" --run "$work/run.h5" --resume --quiet
cp "$work/run.h5" "$work/run.h5.sleep-slept.ckpt"
expect 4 "not an snnsim sleep checkpoint" -- "$snnsim" sleep --data "$data" --run "$work/run.h5" --resume --quiet
rm -f "$work/run.h5.sleep-slept.ckpt"
if ls "$work"/*.tmp-* >/dev/null 2>&1; then echo "FAIL: temp files left"; fails=$((fails + 1)); fi

# SRC output: --force over an existing file keeps it until the new run is complete; a run killed
# part-way leaves the old file intact (and its temporary file is removed by the next write).
src_small=(--data "$data" --method sequential --seed 1 --quiet --max-test 200 --tasks 2 --per-task 200 --epochs 1)
printf 'the previous results' >"$work/src.h5"
"$snnsim" src "${src_small[@]}" --max-train 20000 --epochs 20 --out "$work/src.h5" --force &
pid=$!
for _ in $(seq 300); do
  ls "$work"/src.h5.tmp-* >/dev/null 2>&1 && break
  sleep 0.1
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ "$(cat "$work/src.h5")" != "the previous results" ]; then
  echo "FAIL: snnsim src --force destroyed the old file before the new run finished"
  fails=$((fails + 1))
else
  passes=$((passes + 1))
fi
"$snnsim" src "${src_small[@]}" --max-train 2000 --out "$work/src.h5" --force >/dev/null ||
  { echo "FAIL: src --force after a killed run"; fails=$((fails + 1)); }
if ls "$work"/src.h5.tmp-* >/dev/null 2>&1 || [ "$(head -c 4 "$work/src.h5" | od -An -c | tr -d ' ')" != '211HDF' ]; then
  echo "FAIL: src after a killed run: temporary file left or no HDF5 output"
  fails=$((fails + 1))
else
  passes=$((passes + 1))
fi
rm -f "$work/src.h5"

echo "cli_errors: $passes passed, $fails failed"
[ "$fails" = 0 ]
