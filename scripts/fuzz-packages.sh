#!/usr/bin/env bash
# What the sanitizer build and the fuzz targets need: clang 14 and its libFuzzer runtime, OpenMP
# for clang, and llvm-14 for llvm-symbolizer (without it sanitizer reports are bare addresses
# that fuzz/run.sh cannot attribute to snnsim or libhdf5).
exec bash "$(dirname "$0")/apt-missing.sh" clang libclang-rt-14-dev libomp-14-dev llvm-14
