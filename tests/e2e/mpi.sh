#!/usr/bin/env bash
# Sweeps under mpirun (issue 18): `experiment sleep`, `experiment incremental`, `tune-sleep` and `src --seeds 3` under 2
# and 3 ranks give the same file, CSV and JSON as one process, byte for byte (provenance and
# timing aside); `tune-src` under 1, 2 and 3 ranks gives one process's result at the same
# --trial-batch; `src`/`tune-src` without --seed are refused under several ranks; kill -9 of one
# rank part-way ends the job non-zero with snnsim's error line, keeps every committed condition,
# and the rerun under another rank count completes it bit-identical; a rank with bad input ends
# the whole job with its own error line and exit code, not a hang.
set -uo pipefail
snnsim=$1 data=$2 python=$3 same=$4 mpirun=$5
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI runs as root
export OMPI_MCA_rmaps_base_oversubscribe=1  # more ranks than cores
source "$(dirname "$0")/harness.sh"
nowall() { "$python" -c 'import json,sys; j=json.load(open(sys.argv[1])); j.pop("wall_s",None); j.pop("csv",None); j.pop("out",None); j.pop("run",None); print(json.dumps(j,sort_keys=True))' "$1"; }
# JSON without wall_s and timing at any depth
nosrctime() { "$python" -c '
import json, sys
def strip(x):
    if isinstance(x, dict): return {k: strip(v) for k, v in x.items() if k not in ("wall_s", "timing")}
    if isinstance(x, list): return [strip(v) for v in x]
    return x
print(json.dumps(strip(json.load(open(sys.argv[1]))), sort_keys=True))' "$1"; }
mpi() { local n=$1; shift; timeout 240 "$mpirun" -n "$n" --oversubscribe "$snnsim" "$@"; }

# 12 conditions, a couple of seconds each.
study=(experiment sleep --data "$data" --neurons 20 --seeds 1,2,3,4 --train-amounts 20,40,60 --test-images 20
       --noise-test-images 10 --gaussian-levels 0.5 --blur-levels 1 --duration-s 0.3 --controls=false --threads 1 --json -q)
"$snnsim" "${study[@]}" --out "$work/one.h5" > "$work/one.json" || fail "one-process study"
for r in 2 3; do
  mpi $r "${study[@]}" --out "$work/r$r.h5" > "$work/r$r.json" || fail "study under $r ranks"
  "$python" "$same" "$work/one.h5" "$work/r$r.h5" || fail "study under $r ranks: file differs"
  cmp "$work/one.csv" "$work/r$r.csv" || fail "study under $r ranks: CSV differs"
  [ "$(nowall "$work/one.json")" = "$(nowall "$work/r$r.json")" ] || fail "study under $r ranks: JSON differs"
done

# Network size as an axis: 2 sizes x 2 seeds x 1 amount, largest N first, under 2 ranks; with the
# default controls and part-way sleep states.
sizes=(experiment sleep --data "$data" --neurons 20,40 --seeds 1,2 --train-amounts 30 --test-images 20
       --noise-test-images 10 --gaussian-levels 0.5 --blur-levels 1 --duration-s 0.3 --durations 0.1,0.2
       --validation-images 50 --threads 1 --json -q)
"$snnsim" "${sizes[@]}" --out "$work/sz1.h5" > "$work/sz1.json" || fail "one-process two-size study"
mpi 2 "${sizes[@]}" --out "$work/sz2.h5" > "$work/sz2.json" || fail "two-size study under 2 ranks"
"$python" "$same" "$work/sz1.h5" "$work/sz2.h5" || fail "two-size study under 2 ranks: file differs"
cmp "$work/sz1.csv" "$work/sz2.csv" || fail "two-size study under 2 ranks: CSV differs"
[ "$(nowall "$work/sz1.json")" = "$(nowall "$work/sz2.json")" ] || fail "two-size study under 2 ranks: JSON differs"

# experiment incremental: 4 methods x 2 seeds = 8 conditions, under 2 and 3 ranks as one process.
inc=(experiment incremental --data "$data" --neurons 10 --images-per-task 20 --label-images 10 --replay-buffer 5
     --test-images 50 --duration-s 0.3 --seeds 1,2 --threads 1 --json -q)
"$snnsim" "${inc[@]}" --out "$work/inc1.h5" > "$work/inc1.json" || fail "one-process incremental"
for r in 2 3; do
  mpi $r "${inc[@]}" --out "$work/inc$r.h5" > "$work/inc$r.json" || fail "incremental under $r ranks"
  "$python" "$same" --skip created_utc "$work/inc1.h5" "$work/inc$r.h5" || fail "incremental under $r ranks: file differs"
  cmp "$work/inc1.csv" "$work/inc$r.csv" || fail "incremental under $r ranks: CSV differs"
  [ "$(nosrctime "$work/inc1.json" | sed "s/inc[0-9].csv/inc.csv/;s/inc[0-9].h5/inc.h5/")" = "$(nosrctime "$work/inc$r.json" | sed "s/inc[0-9].csv/inc.csv/;s/inc[0-9].h5/inc.h5/")" ] || fail "incremental under $r ranks: JSON differs"
done

# kill -9 of rank 1 once a condition is committed; then resume under 3 ranks.
"$mpirun" -n 2 "$snnsim" "${study[@]}" --out "$work/k.h5" > /dev/null 2> "$work/k.err" &
job=$!
for _ in $(seq 600); do
  "$python" -c 'import h5py,sys; f=h5py.File(sys.argv[1],"r"); sys.exit(0 if len(f.get("conditions",{}))>=1 else 1)' \
    "$work/k.h5" 2>/dev/null && break
  sleep 0.1
done
killed=0
for p in $(pgrep -P $job); do
  if tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1; then kill -9 "$p" && killed=1; fi
done
[ $killed = 1 ] || fail "no rank 1 to kill"
wait $job
rc=$?
[ $rc -ne 0 ] || fail "job with a killed rank exited 0"
grep -q "^snnsim experiment: error: stopped by SIGTERM" "$work/k.err" || { fail "no error line after kill"; cat "$work/k.err"; }
n=$("$python" -c 'import h5py,sys; f=h5py.File(sys.argv[1],"r"); c=f["conditions"]; assert all(c[k].attrs["complete"]==1 for k in c); assert len(f["results/seed"])==len(c)*8; print(len(c))' "$work/k.h5") ||
  fail "study file after kill is not consistent"
echo "killed with ${n:-?} of 12 conditions committed"
[ "${n:-12}" -lt 12 ] || fail "the kill came after the last condition"
mpi 3 "${study[@]}" --out "$work/k.h5" > /dev/null || fail "resume under 3 ranks"
"$python" "$same" "$work/one.h5" "$work/k.h5" || fail "resumed study differs"
cmp "$work/one.csv" "$work/k.csv" || fail "resumed CSV differs"

# tune-sleep: 8 candidates.
"$snnsim" train --data "$data" --neurons 20 --train-images 50 --label-images 50 --seed 3 --threads 1 --out "$work/run.h5" -q ||
  fail "train"
tune=(tune-sleep --data "$data" --validation-images 40 --leak-scales 1,2 --exc-scales 1,2 --inh-scales 1
      --input-rate-scales 1 --durations-s 0.2,0.4 --threads 1 --json -q)
cp "$work/run.h5" "$work/t1.h5"
"$snnsim" "${tune[@]}" --run "$work/t1.h5" > "$work/t1.json" || fail "one-process tune-sleep"
for r in 2 3; do
  cp "$work/run.h5" "$work/t$r.h5"
  mpi $r "${tune[@]}" --run "$work/t$r.h5" > "$work/t$r.json" || fail "tune-sleep under $r ranks"
  "$python" "$same" "$work/t1.h5" "$work/t$r.h5" || fail "tune-sleep under $r ranks: file differs"
  [ "$(nowall "$work/t1.json")" = "$(nowall "$work/t$r.json")" ] || fail "tune-sleep under $r ranks: JSON differs"
done

# src: every method (lowdata at two fractions) x 3 seeds = 27 runs, tiny networks; the file
# (timing aside: sleep seconds, /timing, created_utc) and the JSON (wall_s, timing aside) as one
# process's. Each in its own directory with the same --out, so the stored command line matches.
src=(src --data "$data" --method sequential,src,cheat,parallel,average,lowrank,lowrank-parallel,lowdata
     --fraction 0.01,0.02 --seeds 3 --tasks 2 --per-task 200 --max-train 2000 --max-test 500 --epochs 1
     --hidden 50,50 --sleep-steps 100 --sleep-steps-per-task 50 --snapshot-every 50 --trajectory-every 50
     --save-weights all --norm-trace-every 5 --threads 1 --json -q --out src.h5)
mkdir -p "$work/src1" "$work/src2" "$work/src3"
if "$snnsim" src --help > /dev/null 2>&1; then  # built with ann/ (SNNSIM_WITH_ANN)
  (cd "$work/src1" && "$snnsim" "${src[@]}" --seed 1 > src.json) || fail "one-process src"
  for r in 2 3; do
    (cd "$work/src$r" && mpi $r "${src[@]}" --seed 1 > src.json) || fail "src under $r ranks"
    "$python" "$same" --skip seconds,created_utc,timing "$work/src1/src.h5" "$work/src$r/src.h5" ||
      fail "src under $r ranks: file differs"
    [ "$(nosrctime "$work/src1/src.json")" = "$(nosrctime "$work/src$r/src.json")" ] || fail "src under $r ranks: JSON differs"
  done
  # Without --seed every rank would draw its own: refused, once, exit 2.
  (cd "$work/src1" && mpi 2 "${src[@]}" > /dev/null 2> nos.err)
  rc=$?
  [ $rc = 2 ] && grep -q "^snnsim src: error: under mpirun/srun give --seed$" "$work/src1/nos.err" ||
    { fail "src without --seed under 2 ranks: exit $rc"; cat "$work/src1/nos.err"; }

  # tune-src: 5 trials x 2 seeds in batches (--trial-batch; under MPI its default is the rank
  # count). The trials depend on the batch size only: 2 and 3 ranks at --trial-batch 2 give one
  # process's file and JSON at --trial-batch 2; 1 rank (batch 1) gives the sequential search.
  tsrc=(tune-src --data "$data" --tasks 2 --per-task 200 --max-train 2000 --epochs 1 --hidden 50,50 --sleep-steps 100
        --sleep-steps-per-task 50 --val 50 --trials 5 --seeds 2 --threads 1 --json -q --out tune.h5)
  mkdir -p "$work/ts1" "$work/ts1m" "$work/ts2" "$work/ts2m" "$work/ts3m"
  (cd "$work/ts1" && "$snnsim" "${tsrc[@]}" --seed 3 > tune.json) || fail "one-process tune-src"
  (cd "$work/ts1m" && mpi 1 "${tsrc[@]}" --seed 3 > tune.json) || fail "tune-src under 1 rank"
  (cd "$work/ts2" && "$snnsim" "${tsrc[@]}" --seed 3 --trial-batch 2 > tune.json) || fail "one-process tune-src --trial-batch 2"
  (cd "$work/ts2m" && mpi 2 "${tsrc[@]}" --seed 3 --trial-batch 2 > tune.json) || fail "tune-src under 2 ranks"
  (cd "$work/ts3m" && mpi 3 "${tsrc[@]}" --seed 3 --trial-batch 2 > tune.json) || fail "tune-src under 3 ranks"
  for p in ts1:ts1m ts2:ts2m ts2:ts3m; do
    a=${p%%:*} b=${p##*:}
    "$python" "$same" --skip created_utc "$work/$a/tune.h5" "$work/$b/tune.h5" || fail "tune-src $b: file differs from $a"
    cmp "$work/$a/tune.json" "$work/$b/tune.json" || fail "tune-src $b: JSON differs from $a"
  done
  (cd "$work/ts2m" && mpi 2 "${tsrc[@]}" > /dev/null 2> nos.err)
  rc=$?
  [ $rc = 2 ] && grep -q "^snnsim tune-src: error: under mpirun/srun give --seed$" "$work/ts2m/nos.err" ||
    { fail "tune-src without --seed under 2 ranks: exit $rc"; cat "$work/ts2m/nos.err"; }
fi

# Bad input on rank 1 only (MPMD launch): its line, its exit code, and no hang.
timeout 120 "$mpirun" -n 1 "$snnsim" "${study[@]}" --out "$work/bad.h5" : -n 1 "$snnsim" "${study[@]/$data//nonexistent}" \
  --out "$work/bad.h5" > /dev/null 2> "$work/bad.err"
rc=$?
[ $rc = 3 ] || fail "bad data on rank 1: exit $rc, expected 3"
grep -q "^snnsim experiment: error: /nonexistent/.*(rank 1 of 2)$" "$work/bad.err" || { fail "no rank-1 error line"; cat "$work/bad.err"; }

[ $fails = 0 ] && echo "mpi: all passed"
exit $((fails > 0))
