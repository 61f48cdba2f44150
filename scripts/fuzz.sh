#!/usr/bin/env bash
# Open-ended fuzzing with random libFuzzer seeds (the test suite runs a fixed, deterministic
# fuzz pass instead; see fuzz/README.md). Installs clang and the sanitizer runtimes when missing.
#   bash scripts/fuzz.sh [SECONDS] [TARGET ...]    SECONDS per target (default 600); TARGET: idx config run_file
# The corpus grows in build-fuzz/fuzz-work/corpus/<target> and is reused by the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --no-build
bash scripts/fuzz-packages.sh
secs=600
if [[ ${1:-} =~ ^[0-9]+$ ]]; then secs=$1; shift; fi
exec bash fuzz/run.sh --explore "$secs" "$@"
