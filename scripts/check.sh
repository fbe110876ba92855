#!/bin/bash
# make check: every test, as TAP, closing with "N passed, N failed".
#   the series applies, checkpatch is clean, the kernel builds, then for each
#   lane a VM boot that reports KUnit and runs userspace-tests.
# LANES (default below): PROVIDER[-dma][-force_mr][-swiotlb][-iommu][-nodebug];
# "dma" is rxe's DMA-faithful mode (ULP mappings go through the real DMA
# API), "nodebug" boots with dma_debug=off (siw maps through the virtual DMA
# ops, which dma-debug never sees, so that lane loses nothing by it and
# checks that a kernel with dma-debug off at boot stays healthy).
# PROVIDER "kunit" boots to run the KUnit suites only: with a platform
# device under dma-direct (optionally swiotlb=force), and for the spare PCI
# function behind the emulated IOMMU.
# SERIES=none runs the same suite on the unpatched base kernel.
# STRESS=1 (make check-stress) runs, on each lane, only the cases make check
# defers there (lib.sh's lane_deferred): the two together run every case on
# every lane.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

LANES=${LANES:-kunit kunit-swiotlb kunit-iommu rxe siw-nodebug rxe-force_mr rxe-dma rxe-dma-swiotlb rxe-dma-iommu rxe-modules siw-modules}
SERIES=${SERIES:-}
STRESS=${STRESS:-0}
# Empty: userspace-tests/run picks its default groups.
GROUPS_TO_RUN=${GROUPS_TO_RUN:-}
# A lane runs the whole suite in one boot: 25 min before it counts as hung.
export VM_TIMEOUT=${VM_TIMEOUT:-1500}
OUT=$BUILD/results/check
[ "$STRESS" != 1 ] || OUT=$BUILD/results/check-stress
rm -rf "$OUT"
mkdir -p "$OUT"

n=0 passed=0 failed=0 skipped=0
skips=() fails=()
tap() { # tap ok|fail|skip TITLE [REASON]
	n=$((n + 1))
	case $1 in
	ok) passed=$((passed + 1)) && echo "ok $n - $2" ;;
	skip) skipped=$((skipped + 1)) && skips+=("$2: $3") && echo "ok $n - $2 # SKIP $3" ;;
	fail)
		failed=$((failed + 1)) && fails+=("$2") && echo "not ok $n - $2"
		[ -z "${3:-}" ] || printf '  # %s\n' "$3"
		;;
	esac
}
# step TITLE CMD...: one TAP line for a host-side step, its log kept.
step() {
	local title=$1 logf
	shift
	logf=$OUT/$(tr -c 'a-zA-Z0-9\n' - <<<"$title").log
	if "$@" >"$logf" 2>&1; then
		tap ok "$title"
	else
		tap fail "$title" "log: $logf"
		tail -n 15 "$logf" | sed 's/^/  # /'
		return 1
	fi
}

echo "TAP version 13"
step "dependencies installed" "$TOP/scripts/deps.sh"
if command -v shellcheck >/dev/null; then
	step "shellcheck clean (scripts, userspace-tests)" make -s -C "$TOP" lint || true
else
	tap skip "shellcheck clean" "shellcheck not installed"
fi

kernel_ok=1
if [ "$SERIES" = none ]; then
	flavour=base
	tap skip "series applies" "SERIES=none: unpatched base kernel"
else
	flavour=patched
	step "series applies to $(base_version) ($(series_patches | wc -l) patches)" "$TOP/scripts/tree.sh" || kernel_ok=0
	if [ $kernel_ok = 1 ]; then
		while read -r p; do
			step "checkpatch --strict: $p" "$TOP/scripts/checkpatch.sh" "$TOP/kernel/$p" || true
		done < <(series_patches)
	fi
fi
if [ $kernel_ok = 1 ]; then
	step "kernel builds ($flavour)" env FLAVOUR=$flavour "$TOP/scripts/build.sh" || kernel_ok=0
fi
# The config merge behind make deb KCONFIG=... (host-side, no build).
if [ "$SERIES" != none ] && [ "$STRESS" != 1 ] && [ $kernel_ok = 1 ]; then
	step "kernel config for a real host: Debian's 6.12 config merged with kernel/config/host.fragment keeps every required option" \
		"$TOP/scripts/test-kconfig.sh" debian || true
	step "kernel config for a real host: a config without PCI is refused with an error naming CONFIG_MLX5_CORE" \
		"$TOP/scripts/test-kconfig.sh" conflict || true
fi
kout=$BUILD/out/$flavour
[ "${KASAN:-0}" != 1 ] || kout=$kout-kasan
# The modular lanes boot make deb's package: a second kernel (RDMA, NFS,
# NVMe as modules), packaged with bindeb-pkg and checked before it boots.
modules_ok=0
if [[ " $LANES " == *-modules\ * ]] && [ $kernel_ok = 1 ]; then
	if [ "$SERIES" = none ]; then
		tap skip "kernel packages (make deb)" "SERIES=none: the modular lanes boot the patched package"
	elif step "kernel packages build (make deb: bindeb-pkg of the modular kernel)" \
		env DEB=1 MODULES=1 "$TOP/scripts/build.sh"; then
		step "make deb packages: dpkg-deb --info/--contents hold the image, headers, the changed modules, and the kernel the modular lanes boot" \
			"$TOP/scripts/test-deb.sh" "$BUILD/out/patched-modules" && modules_ok=1
	fi
fi

for lane in $LANES; do
	if [ $kernel_ok = 0 ]; then
		tap fail "lane $lane" "not run: the kernel did not build"
		continue
	fi
	lane_kout=$kout
	if [[ $lane == *-modules ]]; then
		if [ $modules_ok = 0 ]; then
			[ "$SERIES" = none ] && { tap skip "lane $lane" "SERIES=none"; continue; }
			tap fail "lane $lane" "not run: the kernel packages did not build or check out"
			continue
		fi
		lane_kout=$BUILD/out/patched-modules
	fi
	mapfile -t vars < <(lane_vars "$lane")
	read -ra groups <<<"$GROUPS_TO_RUN"
	deferred=$(lane_deferred "$lane")
	if [ "$STRESS" = 1 ]; then
		[ -n "$deferred" ] || continue
		read -ra groups <<<"$deferred"
		deferred=
	fi
	vars+=("TEST_DEFER=$deferred"
		"TEST_DEFER_WHY=make check runs this case on other lanes (lib.sh lane_deferred); on this lane: make check-stress")
	res=$OUT/$lane
	start=$SECONDS
	vmrc=0
	env "${vars[@]}" KOUT="$lane_kout" RESULTS="$res" LANE="$lane" \
		"$TOP/scripts/vm.sh" "$TOP/userspace-tests/guest-suite" "${groups[@]}" \
		>"$OUT/$lane.vm.log" 2>&1 || vmrc=$?
	got=0
	if [ -f "$res/guest.log" ]; then
		# Re-number the guest's TAP lines into this run's plan.
		while IFS= read -r line; do
			if [[ $line =~ ^(not\ )?ok\ ([0-9]+\ )?-\ (.*)$ ]]; then
				got=$((got + 1))
				title=${BASH_REMATCH[3]}
				# The guest names the lane already ("case [lane]: ...").
				[[ $title == *"[$lane]"* ]] || title="[$lane] $title"
				if [ -n "${BASH_REMATCH[1]}" ]; then
					tap fail "$title"
				elif [[ $title =~ ^(.*)\ \#\ SKIP\ (.*)$ ]]; then
					tap skip "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
				else
					tap ok "$title"
				fi
			elif [[ $line =~ ^\ \  ]]; then
				echo "$line"
			elif [[ $line =~ ^#\ health:\ (.*)$ ]]; then
				echo "# [$lane] health: ${BASH_REMATCH[1]}"
			fi
		done < <(grep -vE '^(TAP version|1\.\.|[0-9]+ passed)' "$res/guest.log")
	fi
	if [ $got = 0 ] || { [ $vmrc != 0 ] && [ $failed = 0 ]; }; then
		tap fail "[$lane] VM run" "$(tail -n 1 "$OUT/$lane.vm.log"); log: $OUT/$lane.vm.log"
	fi
	echo "# lane $lane: $((SECONDS - start)) s (results: ${res#"$TOP"/})"
done

echo "1..$n"
for s in "${skips[@]}"; do echo "# skipped: $s"; done
for s in "${fails[@]}"; do echo "# failed: $s"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
