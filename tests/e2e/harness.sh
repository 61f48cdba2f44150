# Sourced by the e2e scripts after they name their arguments: a scratch folder removed on exit,
# and fail MESSAGE, which says why and counts (the script ends with [ "$fails" = 0 ]).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
