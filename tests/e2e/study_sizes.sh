#!/usr/bin/env bash
# experiment sleep with network size as an axis (issue 19 item 1): --neurons 20,30 gives, for
# each size, the conditions a one-size study gives (bit for bit), named n{N}_seed{S}_train{K},
# with a neurons column in /results, /threshold_analysis and the CSV; a study of two sizes
# interrupted after some conditions resumes and ends as one uninterrupted run; the size list is
# part of the signature; bad lists are refused; plot_study.py draws one set of figures per size.
set -uo pipefail
snnsim=$1 data=$2 python=$3 same=$4 analysis=$5
source "$(dirname "$0")/harness.sh"
study=(experiment sleep --data "$data" --train-amounts 20,40 --test-images 20 --noise-test-images 10
       --gaussian-levels 0.5 --blur-levels 1 --duration-s 0.3 --controls=false --threads 1 -q)

"$snnsim" "${study[@]}" --seeds 1,2 --neurons 30,20 --out "$work/two.h5" --json > "$work/two.json" || fail "two sizes"
"$snnsim" "${study[@]}" --seeds 1,2 --neurons 20 --out "$work/n20.h5" || fail "N=20 alone"
"$snnsim" "${study[@]}" --seeds 1,2 --neurons 30 --out "$work/n30.h5" || fail "N=30 alone"
"$python" - "$work" <<'PY' || fail "two-size study is not the two one-size studies"
import sys, h5py, numpy as np
w = sys.argv[1]
two = h5py.File(w + "/two.h5", "r")
assert list(two.attrs["format_version"]) == [1, 1] and list(two.attrs["neurons"]) == [20, 30]
assert "neurons=20,30 " in two.attrs["signature"]
assert sorted(two["conditions"]) == sorted("n%d_seed%d_train%d" % (n, s, k) for n in (20, 30) for s in (1, 2) for k in (20, 40))
r2 = two["results"]
assert list(np.unique(r2["neurons"][:])) == [20, 30] and np.all(np.diff(r2["neurons"][:].astype(int)) >= 0)
for n in (20, 30):
    one = h5py.File(w + "/n%d.h5" % n, "r")
    assert list(one.attrs["format_version"]) == [1, 0] and "neurons" not in one.attrs and "neurons" not in one["results"]
    m = r2["neurons"][:] == n
    for col in one["results"]:
        assert np.array_equal(one["results"][col][:], r2[col][:][m]), (n, col)
    mt = two["threshold_analysis/neurons"][:] == n
    for col in one["threshold_analysis"]:
        assert np.array_equal(one["threshold_analysis"][col][:], two["threshold_analysis"][col][:][mt]), (n, col)
    for c in one["conditions"]:
        a, b = one["conditions"][c], two["conditions"]["n%d_%s" % (n, c)]
        assert b.attrs["neurons"] == n and "neurons" not in a.attrs
        for d in ("trained/weight", "slept/weight", "slept/theta_mV", "sleep/spikes/exc/timestamps"):
            assert np.array_equal(a[d][:], b[d][:]), (c, d)
PY
head -1 "$work/two.csv" | grep -qx "neurons,seed,train_images,state,noise_type,noise_level,accuracy,n_samples" || fail "CSV header"
head -1 "$work/n20.csv" | grep -qx "seed,train_images,state,noise_type,noise_level,accuracy,n_samples" || fail "one-size CSV header"
grep -q '"neurons":30' "$work/two.json" || fail "--json has no neurons"

# Interrupted after seed 1 of both sizes (a shorter --seeds), then resumed: the same file and CSV.
"$snnsim" "${study[@]}" --seeds 1 --neurons 20,30 --out "$work/res.h5" || fail "first part"
"$snnsim" "${study[@]:0:${#study[@]}-1}" --seeds 1,2 --neurons 20,30 --out "$work/res.h5" 2> "$work/res.err" >/dev/null || fail "resume"
[ "$(grep -c 'done earlier, skipped' "$work/res.err")" = 4 ] || { fail "resume did not skip the 4 conditions of seed 1"; cat "$work/res.err"; }
"$python" "$same" "$work/two.h5" "$work/res.h5" || fail "resumed two-size study differs"
cmp "$work/two.csv" "$work/res.csv" || fail "resumed CSV differs"

# The size list is part of the signature; bad lists are refused with exit 2.
cp "$work/two.h5" "$work/sig.h5"
"$snnsim" "${study[@]}" --seeds 1,2 --neurons 20 --out "$work/sig.h5" 2> "$work/sig.err"
rc=$?
[ $rc = 2 ] && grep -q "was started with other settings" "$work/sig.err" || { fail "other sizes: exit $rc"; cat "$work/sig.err"; }
cmp "$work/two.h5" "$work/sig.h5" || fail "refused resume changed the file"
for bad in 20,20 0 20.5 20,x; do
  "$snnsim" "${study[@]}" --seeds 1 --neurons "$bad" --out "$work/bad.h5" 2> "$work/bad.err"
  rc=$?
  [ $rc = 2 ] && grep -q "neurons" "$work/bad.err" && [ ! -e "$work/bad.h5" ] || { fail "--neurons $bad: exit $rc"; cat "$work/bad.err"; }
done

# Figures: one set per size and accuracy against N.
if "$python" -c "import matplotlib" 2>/dev/null; then
  "$python" "$analysis/plot_study.py" "$work/two.h5" --out "$work/figs" --raster-s 0.3 > /dev/null || fail "plot_study.py"
  for f in accuracy_by_size.png n20/accuracy_by_training.png n30/noise_robustness.png n30/ablation.png; do
    [ -s "$work/figs/$f" ] || fail "no $f"
  done
fi

[ $fails = 0 ] && echo "study sizes: all passed"
exit $((fails > 0))
