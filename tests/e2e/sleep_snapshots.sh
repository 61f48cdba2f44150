#!/usr/bin/env bash
# snnsim sleep --snapshot-every (issue 19 item 2): the states kept along one sleep are, bit for
# bit, the end states of sleeps of those durations (weights, theta, relabelled labels), for the
# mean-image and the window input; eval reads them; bad values, --resume and existing states are
# refused with one error line and the run file unchanged.
set -uo pipefail
snnsim=$1 data=$2 python=$3
source "$(dirname "$0")/harness.sh"
"$snnsim" train --data "$data" --neurons 20 --train-images 50 --seed 3 --threads 1 -q --out "$work/run.h5" > /dev/null || fail train
s=(sleep --run "$work/run.h5" --data "$data" --threads 1 -q)
for input in mean-image window; do
  "$snnsim" "${s[@]}" --input $input --duration-s 1.5 --snapshot-every 0.3 --to long_$input --json > "$work/long.json" ||
    fail "sleep --snapshot-every ($input)"
  grep -q "\"snapshots\":\[\"long_${input}_t0.3s\",\"long_${input}_t0.6s\",\"long_${input}_t0.9s\",\"long_${input}_t1.2s\"\]" "$work/long.json" ||
    { fail "snapshots in --json ($input)"; cat "$work/long.json"; }
  for t in 0.6 1.2; do
    "$snnsim" "${s[@]}" --input $input --duration-s $t --to short_${input}_$t > /dev/null || fail "sleep $t s ($input)"
  done
done
"$python" - "$work/run.h5" <<'PY' || fail "a snapshot differs from the sleep of that duration"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
for inp in ("mean-image", "window"):
    assert f["sleep/long_%s" % inp].attrs["snapshot_states"] == ",".join("long_%s_t%gs" % (inp, t) for t in (0.3, 0.6, 0.9, 1.2))
    assert list(f["sleep/long_%s/snapshot_t_s" % inp][()]) == [0.3, 0.6, 0.9, 1.2]
    for t in ("0.6", "1.2"):
        a, b = f["network/short_%s_%s" % (inp, t)], f["network/long_%s_t%ss" % (inp, t)]
        assert b.attrs["slept_s"] == float(t)
        for d in ("edges/input_to_exc/weight", "nodes/exc/theta_mV", "nodes/exc/label", "nodes/exc/class_rate_Hz"):
            assert np.array_equal(a[d][()], b[d][()]), (inp, t, d)
    # and the snapshots are not all the same state
    assert not np.array_equal(f["network/long_%s_t0.3s/nodes/exc/theta_mV" % inp][()],
                              f["network/long_%s_t1.2s/nodes/exc/theta_mV" % inp][()])
PY
"$snnsim" eval --run "$work/run.h5" --data "$data" --state long_window_t0.9s --test-images 20 -q > /dev/null ||
  fail "eval --state of a snapshot"

cp "$work/run.h5" "$work/before.h5"
for bad in "--snapshot-every 0.25" "--snapshot-every -1" "--snapshot-every 1.5" "--snapshot-every 0.3 --resume" \
           "--snapshot-every 0.3 --to long_window"; do
  "$snnsim" "${s[@]}" --duration-s 1.5 $bad > /dev/null 2> "$work/err"
  rc=$?
  { [ $rc = 2 ] || [ $rc = 5 ]; } && [ "$(grep -c 'error:' "$work/err")" = 1 ] || { fail "$bad: exit $rc"; cat "$work/err"; }
done
cmp "$work/run.h5" "$work/before.h5" || fail "a refused sleep changed the run file"
[ $fails = 0 ] && echo "sleep snapshots: all passed"
exit $((fails > 0))
