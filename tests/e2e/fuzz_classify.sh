#!/usr/bin/env bash
# fuzz/run.sh decides whether a fuzz finding is snnsim's (fails CI) or libhdf5's (listed) from the
# first stack frame outside the sanitizer runtime, libFuzzer and libc. These reports, cut from
# real ones, pin that decision. Usage: fuzz_classify.sh fuzz/run.sh
set -euo pipefail
run_sh=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Only the function, so nothing of the fuzz run itself executes.
sed -n '/^classify() {/,/^}/p' "$run_sh" > "$tmp/classify.sh"
grep -q 'classify()' "$tmp/classify.sh" || { echo "no classify() in $run_sh" >&2; exit 1; }
source "$tmp/classify.sh"

fail=0
expect() {  # expect WHO NAME, report on stdin
  cat > "$tmp/$2.log"
  local got
  got=$(classify "$tmp/$2.log")
  if [[ $got != "$1" ]]; then echo "FAIL $2: classified as $got, expected $1" >&2; fail=1; else echo "ok   $2: $got"; fi
}

# glibc's memcpy, symbolised by its source path, called from inside libhdf5 (CI, 2026-12-03).
expect libhdf5 glibc-memcpy-under-libhdf5 <<'R'
==6134==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x7fa7ac58b809 bp 0x7ffd041d3380 sp 0x7ffd041d2b38 T0)
    #0 0x7fa7ac58b809 in __memcpy_avx512_unaligned_erms string/../sysdeps/x86_64/multiarch/memmove-vec-unaligned-erms.S:273
    #1 0x5561f4283a37 in __interceptor_memcpy (/tmp/ci/build-fuzz/fuzz/fuzz_run_file+0xe0a37) (BuildId: c149dbdc)
    #2 0x7fa7accf54de in H5F__accum_read (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xf54de) (BuildId: e923ff05)
    #3 0x7fa7acd74db0 in H5Lexists (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x174db0) (BuildId: e923ff05)
    #4 0x5561f43321f6 in snnsim::h5::Group::has(std::string const&) const /tmp/ci/io/h5.cpp:99:9
R
# The same memcpy without glibc's debug symbols.
expect libhdf5 libc-so-memcpy-under-libhdf5 <<'R'
==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x608000019100 at pc 0x56476751de36
    #0 0x56476751de35 in __interceptor_memcpy (/tmp/ci/build-fuzz/fuzz/fuzz_run_file+0xe0a35)
    #1 0x7f00000001 in __memmove_avx_unaligned_erms (/lib/x86_64-linux-gnu/libc.so.6+0x1a0b01)
    #2 0x7fa7accf54de in H5F__accum_read (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xf54de)
R
# A bad read in snnsim's own code, under the same interceptor.
expect snnsim memcpy-under-snnsim <<'R'
==2==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000010 at pc 0x5561f4283a37
    #0 0x5561f4283a37 in __interceptor_memcpy (/tmp/ci/build-fuzz/fuzz/fuzz_run_file+0xe0a37)
    #1 0x5561f4370001 in snnsim::io::read_state(snnsim::h5::Group const&) /tmp/ci/io/run_file.cpp:283:16
    #2 0x7fa7acd74db0 in H5Lexists (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x174db0)
R
# UBSan reports are always snnsim's (libhdf5 is not instrumented).
expect snnsim ubsan-report <<'R'
io/idx.cpp:77:21: runtime error: shift exponent 32 is too large for 32-bit type 'unsigned int'
R
# A leak report from a machine without llvm-symbolizer (issue 23, a bare Debian 12 root): every
# frame a bare address. Frame #0 is the malloc interceptor inside the fuzz binary, #1 libhdf5.
expect libhdf5 unsymbolized-leak-inside-libhdf5 <<'R'
==815==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 56 byte(s) in 1 object(s) allocated from:
    #0 0x5597fea944be  (/home/snnsim/build-fuzz/fuzz/fuzz_run_file+0x1494be)
    #1 0x7f517e3233e4  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x1233e4)
    #2 0x7f517e3240a1  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x1240a1)
    #3 0x7f517e1b5c12  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xb5c12)
    #4 0x7f517e1b70e9  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xb70e9)
    #5 0x7f517e1a2b33  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xa2b33)
    #6 0x7f517e1a3e44  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xa3e44)
    #7 0x7f517e2f1a10  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x1f1a10)
    #8 0x7f517e2f2c55  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x1f2c55)
    #9 0x7f517e1c8d01  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xc8d01)
    #10 0x7f517e1c9f32  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xc9f32)
    #11 0x7f517e1ca0aa  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0xca0aa)
    #12 0x5597feb08b4d  (/home/snnsim/build-fuzz/fuzz/fuzz_run_file+0x1bdb4d)

SUMMARY: AddressSanitizer: 56 byte(s) leaked in 1 allocation(s).
R
# The same shape with snnsim's own allocation, unsymbolized: no libhdf5 frame above the runtime.
expect snnsim unsymbolized-leak-in-snnsim <<'R'
==816==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 24 byte(s) in 1 object(s) allocated from:
    #0 0x5597fea944be  (/home/snnsim/build-fuzz/fuzz/fuzz_run_file+0x1494be)
    #1 0x5597feb01234  (/home/snnsim/build-fuzz/fuzz/fuzz_run_file+0x1b6234)
    #2 0x5597feb08b4d  (/home/snnsim/build-fuzz/fuzz/fuzz_run_file+0x1bdb4d)
    #3 0x7f517dc2724a  (/lib/x86_64-linux-gnu/libc.so.6+0x2724a)

SUMMARY: AddressSanitizer: 24 byte(s) leaked in 1 allocation(s).
R
# Symbolized: memory that snnsim's own code allocated and lost.
expect snnsim symbolized-leak-in-snnsim <<'R'
==817==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 24 byte(s) in 1 object(s) allocated from:
    #0 0x5597fea944be in operator new(unsigned long) (/home/snnsim/build-fuzz/fuzz/fuzz_run_file+0x1494be)
    #1 0x5597feb01234 in snnsim::io::read_config(snnsim::h5::Group const&) /home/snnsim/io/run_file.cpp:120:7
    #2 0x5597feb08b4d in LLVMFuzzerTestOneInput /home/snnsim/fuzz/fuzz_run_file.cpp:20:5

SUMMARY: AddressSanitizer: 24 byte(s) leaked in 1 allocation(s).
R
exit $fail
