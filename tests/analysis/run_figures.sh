#!/usr/bin/env bash
# Make a tiny sleep study and a tiny run file with snnsim, run analysis/plot_study.py and
# analysis/plot_run.py on them, and check that every expected PNG exists and is a PNG.
# Usage: run_figures.sh SNNSIM PYTHON DATA_DIR ANALYSIS_DIR
set -euo pipefail
snnsim=$1 python=$2 data=$3 analysis=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MPLBACKEND=Agg MPLCONFIGDIR="$work/mpl"

"$snnsim" experiment sleep --data "$data" --neurons 12 --seeds 1,2 --train-amounts 40,80 \
    --test-images 60 --noise-test-images 30 --label-cap 80 --gaussian-levels 0.1,0.5 --blur-levels 1,3 \
    --duration-s 2 --validation-images 100 --threads 1 --out "$work/study.h5" --quiet >/dev/null

run=$work/run.h5
"$snnsim" train --data "$data" --neurons 12 --train-images 40 --seed 3 --threads 1 --quiet --out "$run" >/dev/null
"$snnsim" sleep --data "$data" --run "$run" --duration-s 2 --record-spikes exc --threads 1 --quiet >/dev/null
"$snnsim" eval --data "$data" --run "$run" --state trained --test-images 30 --threads 1 --quiet >/dev/null
"$snnsim" eval --data "$data" --run "$run" --state slept --test-images 30 --threads 1 --quiet >/dev/null
"$snnsim" eval --data "$data" --run "$run" --state slept --noise gaussian --levels 0.1,0.5 --test-images 30 \
    --threads 1 --quiet >/dev/null

"$python" "$analysis/plot_study.py" "$work/study.h5" --out "$work/study_figs" --raster-s 2 >"$work/study.txt"
"$python" "$analysis/plot_run.py" "$run" --out "$work/run_figs" >"$work/run.txt"
cat "$work/study.txt" "$work/run.txt"

fail=0
check_png() {
    local f=$1
    if [[ ! -s $f ]]; then
        echo "FAIL: $f missing or empty"; fail=1; return
    fi
    if [[ $(head -c 8 "$f" | od -An -tx1 | tr -d ' \n') != 89504e470d0a1a0a ]]; then
        echo "FAIL: $f is not a PNG"; fail=1; return
    fi
    if ! grep -qF "wrote $f" "$work/study.txt" "$work/run.txt"; then
        echo "FAIL: $f not reported as written"; fail=1; return
    fi
    echo "ok: $(basename "$f") ($(stat -c %s "$f") bytes)"
}
for n in accuracy_by_training noise_robustness theta_change receptive_fields sleep_raster ablation; do
    check_png "$work/study_figs/$n.png"
done
for n in run_receptive_fields run_theta run_train_log run_sleep_slept run_eval; do
    check_png "$work/run_figs/$n.png"
done
# the text outputs the brief promises
grep -q "AUC = " "$work/study.txt" || { echo "FAIL: no AUC printed"; fail=1; }
grep -q "slept weights" "$work/study.txt" || { echo "FAIL: no ablation table printed"; fail=1; }

# wrong inputs: exit status 2 with an error message
source "$(dirname "$0")/../e2e/expect_error.sh"
expect_2 "$python" "$analysis/plot_study.py" "$work/missing.h5" --out "$work/x"
expect_2 "$python" "$analysis/plot_study.py" "$run" --out "$work/x"
expect_2 "$python" "$analysis/plot_run.py" "$work/study.h5" --out "$work/x"
echo "not hdf5" >"$work/junk.h5"
expect_2 "$python" "$analysis/plot_run.py" "$work/junk.h5" --out "$work/x"
expect_2 "$python" "$analysis/plot_study.py" "$work/study.h5" --out "$work/x" --train-images 12345
exit $fail
