# Sourced by the Python-script tests. expect_2 CMD...: CMD must exit with status 2 and print an
# "error: ..." line on stderr, the contract of every script under analysis/ and bench/.
# Sets fail=1 (and says why) when it does not.
expect_2() {
    local rc=0 err
    err=$(mktemp)
    "$@" >/dev/null 2>"$err" || rc=$?
    if [[ $rc != 2 ]] || ! grep -q "^error: " "$err"; then
        echo "FAIL: expected exit 2 with 'error: ...' from: $*"; cat "$err"; fail=1
    else
        echo "ok: $(cat "$err")"
    fi
    rm -f "$err"
}
