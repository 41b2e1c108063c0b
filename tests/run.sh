#!/bin/bash
# tests/run.sh BUILD_DIR -- `make test`: every cmocka unit test (built with
# ASan/UBSan), then every integration suite, each against the real daemons.
# Prints each suite's own output, then one total line "N passed, N failed".
# Exit status 1 if anything failed or a suite did not finish.
set -u
B=${1:-build/asan}
cd "$(dirname "$0")/.."
pass=0 fail=0 broken=()

# A cmocka binary: count its "[  PASSED  ] N" and "[  FAILED  ] N" lines.
for t in "$B"/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -n1)
	echo "== ${t##*/}: ${p:-0} passed, ${f:-0} failed"
	if [ "$rc" != 0 ] || [ -n "$f" ]; then
		echo "$out" | grep -E "FAILED|ERROR|runtime error|Sanitizer" | head -20
		[ -n "$f" ] || f=1
		broken+=("${t##*/}")
	fi
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
done

# An integration suite: its last "N passed, N failed" line.
# tests/threads.sh also takes the ThreadSanitizer build (TSAN_B).
TSAN_B=${TSAN_B:-build/tsan}
for s in tests/integration.sh tests/conformance.sh tests/checker.sh \
	tests/service.sh tests/install.sh tests/mta.sh tests/threads.sh; do
	[ -f "$s" ] || continue
	echo "== $s"
	out=$(bash "$s" "$B" "$TSAN_B" 2>&1); rc=$?
	# every failed assertion, then the suite's closing lines
	grep -E '^not ok' <<<"$out"
	grep -vE '^(ok|not ok) - ' <<<"$out" | tail -n 25
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n1)
	if [ -z "$line" ]; then
		echo "$s: did not finish (exit $rc)"
		fail=$((fail + 1)); broken+=("$s"); continue
	fi
	p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	pass=$((pass + p)); fail=$((fail + f))
	[ "$rc" = 0 ] && [ "$f" = 0 ] || broken+=("$s")
done

[ ${#broken[@]} -eq 0 ] || echo "failing: ${broken[*]}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ ${#broken[@]} -eq 0 ]
