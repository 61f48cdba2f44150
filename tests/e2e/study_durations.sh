#!/usr/bin/env bash
# experiment sleep --durations (issue 19 item 2): the state scored as slept_t{D}s is the end
# state of a sleep of D seconds - its clean accuracy and silent count equal the `slept` row of a
# study run with --duration-s D, and every other row is the study without --durations; the
# durations are part of the signature; analysis/study_summary.py pairs them (and the controls)
# with the trained state; plot_study.py draws accuracy against sleep time; bad lists are refused before anything is written.
set -uo pipefail
snnsim=$1 data=$2 python=$3 analysis=$4
source "$(dirname "$0")/harness.sh"
study=(experiment sleep --data "$data" --neurons 20 --seeds 1,2 --train-amounts 30 --test-images 40
       --noise-test-images 10 --gaussian-levels 0.5 --blur-levels 1 --threads 1 -q)
nc=("${study[@]}" --controls=false)  # the controls (on by default) are tested below and in controls.sh

"$snnsim" "${nc[@]}" --duration-s 0.6 --durations 0.2,0.4 --out "$work/curve.h5" --json > "$work/curve.json" ||
  fail "study with --durations"
for d in 0.2 0.4 0.6; do
  "$snnsim" "${nc[@]}" --duration-s $d --out "$work/d$d.h5" || fail "study with --duration-s $d"
done
"$python" - "$work" <<'PY' || fail "part-way states are not the end states of shorter sleeps"
import sys, h5py, numpy as np
w = sys.argv[1]
def rows(path):
    r = h5py.File(path, "r")["results"]
    st = [s.decode() if isinstance(s, bytes) else s for s in r["state"][:]]
    ty = [s.decode() if isinstance(s, bytes) else s for s in r["noise_type"][:]]
    return {(int(r["seed"][i]), st[i], ty[i], float(r["noise_level"][i])): (r["accuracy"][i], r["n_silent"][i])
            for i in range(len(st))}
curve = rows(w + "/curve.h5")
full = rows(w + "/d0.6.h5")
f = h5py.File(w + "/curve.h5", "r")
assert "durations=0.2,0.4" in f.attrs["signature"]
assert list(f.attrs["sleep_durations_s"]) == [0.2, 0.4, 0.6], f.attrs["sleep_durations_s"]
assert "sleep_durations_s" not in h5py.File(w + "/d0.6.h5", "r").attrs
extra = {k: v for k, v in curve.items() if k[1].startswith("slept_t")}
assert sorted({k[1] for k in extra}) == ["slept_t0.2s", "slept_t0.4s"], sorted(extra)
assert all(k[2] == "none" for k in extra), "part-way states are scored on clean images only"
assert {k: v for k, v in curve.items() if k not in extra} == full, "--durations changed the other rows"
for d in ("0.2", "0.4"):
    short = rows(w + "/d%s.h5" % d)
    for s in (1, 2):
        assert curve[(s, "slept_t%ss" % d, "none", 0.0)] == short[(s, "slept", "none", 0.0)], (d, s)
print("durations: part-way rows equal shorter sleeps")
PY
grep -q "slept_t0.2s,none" "$work/curve.csv" || fail "CSV lacks the slept_t0.2s rows"
"$python" "$analysis/plot_study.py" "$work/curve.h5" --out "$work/figs" > "$work/figs.txt" || fail "plot_study.py"
[ -s "$work/figs/sleep_duration.png" ] && grep -q "K=30: 0s" "$work/figs.txt" || fail "no sleep_duration figure"
"$python" "$analysis/plot_study.py" "$work/d0.6.h5" --out "$work/figs0" > /dev/null || fail "plot_study.py without durations"
[ -e "$work/figs0/sleep_duration.png" ] && fail "a duration figure without --durations"

# analysis/study_summary.py: paired differences per (N, K), with the controls and the durations.
"$snnsim" "${study[@]}" --duration-s 0.6 --durations 0.3 --controls --validation-images 50 --out "$work/ctl.h5" ||
  fail "study with --controls --durations"
"$python" "$analysis/study_summary.py" "$work/ctl.h5" --csv "$work/sum.csv" > "$work/sum.txt" || fail "study_summary.py"
grep -q "^| measure | trained | slept | extra_wake | pruned | slept - trained | slept - extra_wake | slept - pruned |$" \
  "$work/sum.txt" || { fail "study_summary: no controls table"; cat "$work/sum.txt"; }
grep -q "^sleep time, clean accuracy minus trained: 0.3s " "$work/sum.txt" || fail "study_summary: no duration line"
grep -q "^verdict (95 % intervals): clean " "$work/sum.txt" || fail "study_summary: no verdict"
"$python" - "$work" <<'PY' || fail "study_summary CSV is not the differences of /results"
import csv, sys, h5py, numpy as np
w = sys.argv[1]
r = h5py.File(w + "/ctl.h5", "r")["results"]
st, nt = r["state"].asstr()[()], r["noise_type"].asstr()[()]
acc, seed, lv = r["accuracy"][()], r["seed"][()], r["noise_level"][()]
def clean(s, state):
    return acc[(seed == s) & (st == state) & (nt == "none")][0]
def gmean(s, state, noise):
    return acc[(seed == s) & (st == state) & (nt == noise)].mean()
rows = list(csv.DictReader(open(w + "/sum.csv")))
assert len(rows) == 2 * (3 * 3 + 1), len(rows)  # 2 seeds x (3 measures x 3 comparisons + 1 duration)
for row in rows:
    s, other = int(row["seed"]), row["difference"].split("-", 1)[1]
    if row["difference"].startswith("slept_t"):
        want = clean(s, row["difference"].split("-")[0]) - clean(s, "trained")
    elif row["noise"] == "none":
        want = clean(s, "slept") - clean(s, other)
    else:
        want = gmean(s, "slept", row["noise"]) - gmean(s, other, row["noise"])
    assert abs(float(row["value"]) - want) < 1e-6, (row, want)
PY
# --claims: the paper's claims per network size, each cell computed from /results and /threshold_analysis.
"$python" "$analysis/study_summary.py" "$work/ctl.h5" --claims --claims-csv "$work/claims.csv" > "$work/claims.txt" ||
  fail "study_summary.py --claims"
grep -q "^| claim (Tadros et al.) | N=20 |$" "$work/claims.txt" || fail "study_summary: no claims table"
"$python" - "$work" <<'PY' || fail "claims cells are not the study's numbers"
import csv, sys, h5py, numpy as np
w = sys.argv[1]
f = h5py.File(w + "/ctl.h5", "r")
r, t = f["results"], f["threshold_analysis"]
st, nt = r["state"].asstr()[()], r["noise_type"].asstr()[()]
acc, seed = r["accuracy"][()], r["seed"][()]
def clean(s, state):
    return acc[(seed == s) & (st == state) & (nt == "none")][0]
cells = {row["claim"]: row for row in csv.DictReader(open(w + "/claims.csv"))}
assert len(cells) == 8, sorted(cells)
gain = np.mean([clean(s, "slept") - clean(s, "trained") for s in (1, 2)])
assert abs(float(cells["accuracy rises after sleep"]["value"]) - gain) < 1e-6
wake = np.mean([clean(s, "slept") - clean(s, "extra_wake") for s in (1, 2)])
assert abs(float(cells["sleep beats a second epoch (extra wake)"]["value"]) - wake) < 1e-6
rose = np.mean(t["n_rose"][()] / 20.0)
c = cells["most thresholds rise"]
assert abs(float(c["value"]) - rose) < 1e-6 and c["verdict"] == ("holds" if rose > 0.5 else "no"), (c, rose)
best, worst = t["theta_change_best_quartile_mV"][()].mean(), t["theta_change_worst_quartile_mV"][()].mean()
c = cells["well-formed fields lower their thresholds"]
want = "holds" if best < 0 and best < worst else "opposite" if best > worst else "no"
assert abs(float(c["value"]) - best) < 1e-6 and c["verdict"] == want, (c, best, worst)
for c in cells.values():
    assert c["verdict"] in ("holds", "opposite", "not shown", "no", "too few seeds"), c
PY
"$python" "$analysis/study_summary.py" "$work/nothere.h5" > /dev/null 2>&1
[ $? = 2 ] || fail "study_summary: a missing file must exit 2"

# The durations are part of the signature: resuming with another list is refused.
"$snnsim" "${nc[@]}" --duration-s 0.6 --durations 0.2 --out "$work/curve.h5" 2> "$work/sig.err"
[ $? = 2 ] && grep -q "other settings" "$work/sig.err" || fail "other --durations on resume not refused"

expect() { local want=$1 msg=$2; shift 2; "$@" > /dev/null 2> "$work/err"; local rc=$?
  [ $rc = "$want" ] && grep -q -- "$msg" "$work/err" || { fail "$* -> exit $rc: $(cat "$work/err")"; }; }
expect 2 "0.25 is not a positive multiple of 0.1 s" "$snnsim" "${nc[@]}" --duration-s 1 --durations 0.25 --out "$work/bad.h5"
expect 2 "1 is not shorter than --duration-s 1" "$snnsim" "${nc[@]}" --duration-s 1 --durations 0.5,1 --out "$work/bad.h5"
expect 2 "ascending" "$snnsim" "${nc[@]}" --duration-s 1 --durations 0.5,0.2 --out "$work/bad.h5"
expect 2 "durations" "$snnsim" "${nc[@]}" --duration-s 1 --durations 0,0.5 --out "$work/bad.h5"
[ -e "$work/bad.h5" ] && fail "a refused study wrote its file"
# The default list (1,2,5) keeps the times inside the sleep; a list given is checked whole.
"$snnsim" "${nc[@]}" --duration-s 3 --out "$work/dd.h5" || fail "default durations with --duration-s 3"
"$snnsim" "${nc[@]}" --duration-s 3 --durations none --out "$work/dn.h5" || fail "--durations none"
"$python" -c "
import h5py, sys
a = h5py.File(sys.argv[1], 'r'); b = h5py.File(sys.argv[2], 'r')
assert list(a.attrs['sleep_durations_s']) == [1, 2, 3], a.attrs['sleep_durations_s']
assert 'sleep_durations_s' not in b.attrs and 'durations=' not in b.attrs['signature']
assert not any(s.startswith('slept_t') for s in b['results/state'].asstr()[()])" "$work/dd.h5" "$work/dn.h5" ||
  fail "default durations are not cut to the sleep, or none is not none"
expect 2 "5 is not shorter than --duration-s 3" "$snnsim" "${nc[@]}" --duration-s 3 --durations 1,2,5 --out "$work/bad.h5"
grep -q -- "--durations" <<< "$("$snnsim" experiment sleep --help)" || fail "--help lacks --durations"

[ $fails = 0 ] && echo "study_durations: all passed"
exit $((fails > 0))
