#!/bin/bash
# Guest half of 'make bench-map' (scripts/bench-map.sh runs it through
# scripts/vm.sh): binds the spare PCI function to the kernel's
# dma_map_benchmark driver and times every mapping mode for every layout
# and range count, RUNS times, the runs interleaved so that drift in the
# machine's speed spreads over all modes alike.
#
# Usage: bench-map-guest.sh MAPPING TOOL SECONDS RUNS MAX_SEG "MODES" PROFILE RANGES...
#   MAPPING  direct or iommu: what the device's DMA must go through (checked)
#   TOOL     the dma_map_benchmark user tool built on the host
#   MAX_SEG  the device's maximum segment size during the runs (0: as is)
#   MODES    comma-separated, e.g. sgtable,phyrs,iter,phys
#   PROFILE  LAYOUT:RANGES (e.g. scattered:256): after the timed runs, one
#            perf (cpu-clock) profile of every mode for that case; or none
# Writes $RESULTS_DIR/bench-map.tsv (one line per case and run), the tool's
# output per case under $RESULTS_DIR/runs/ and the profiles as
# $RESULTS_DIR/profile-MODE.txt.  Exits non-zero if any case failed.
set -euo pipefail

[ $# -ge 8 ] || {
	echo "usage: $0 direct|iommu TOOL SECONDS RUNS MAX_SEG MODES PROFILE RANGES..." >&2
	exit 2
}
mapping=$1 tool=$2 secs=$3 runs=$4 max_seg=$5 profile=$7
IFS=, read -ra modes <<<"$6"
shift 7
dev=${SPARE_PCI:-0000:00:10.0}
out=${RESULTS_DIR:-/run/results}
sysdev=/sys/bus/pci/devices/$dev
drv=/sys/bus/pci/drivers/dma_map_benchmark

fail() {
	echo "bench-map: $*" >&2
	exit 1
}

[ -x "$tool" ] || fail "no user tool at $tool"
[ -d "$sysdev" ] || fail "no PCI function $dev (QEMU's pci-testdev) in this VM"
[ -d "$drv" ] || fail "no dma_map_benchmark driver: is CONFIG_DMA_MAP_BENCHMARK=y?"
if [ -e "$sysdev/driver" ]; then
	fail "$dev is already bound to $(basename "$(readlink "$sysdev/driver")")"
fi
if [ -d /sys/kernel/debug/dma-api ] && [ "$(cat /sys/kernel/debug/dma-api/disabled)" = 0 ]; then
	fail "dma-debug is active in this kernel: benchmarks need dma_debug=off (or a kernel without it)"
fi
echo dma_map_benchmark >"$sysdev/driver_override"
echo "$dev" >"$drv/bind"
[ -e /sys/kernel/debug/dma_map_benchmark ] ||
	fail "binding $dev did not create /sys/kernel/debug/dma_map_benchmark"

# The device's DMA has to go where the lane says: an IOMMU DMA domain or not.
domain=none
if [ -e "$sysdev/iommu_group/type" ]; then
	domain=$(cat "$sysdev/iommu_group/type")
fi
case $mapping:$domain in
direct:none | direct:identity | iommu:DMA | iommu:DMA-FQ) ;;
*) fail "$mapping lane, but the IOMMU domain of $dev is '$domain'" ;;
esac
echo "bench-map: $dev bound to dma_map_benchmark, mapping $mapping, IOMMU domain $domain, $(uname -r), $runs runs"

mkdir -p "$out/runs"
tsv=$out/bench-map.tsv
printf '#mapping\tlayout\tranges\tmode\trun\tmap_ns\tunmap_ns\tdma_ranges\tretained_bytes\n' >"$tsv"
status=0
for run in $(seq 1 "$runs"); do
	for layout in scattered contiguous; do
		for ranges in "$@"; do
			for mode in "${modes[@]}"; do
				log=$out/runs/$mapping-$layout-$ranges-$mode-$run.log
				# One thread, 64-bit mask (no bouncing), FROM_DEVICE:
				# x86 is cache coherent, so staining the pages before
				# every map (done for the other directions) only
				# costs loop time.
				if ! "$tool" -a "$mode" -r "$ranges" -l "$layout" -s "$secs" \
					-t 1 -b 64 -d 2 -m "$max_seg" >"$log" 2>&1; then
					echo "bench-map: $mapping $layout $ranges $mode run $run FAILED:" >&2
					cat "$log" >&2
					dmesg | tail -n 5 >&2
					status=1
					continue
				fi
				times=$(sed -n 's/^average map latency(ns):\([0-9]*\) unmap latency(ns):\([0-9]*\)$/\1\t\2/p' "$log")
				state=$(sed -n 's/^api:.* dma ranges:\([0-9]*\) retained bytes:\([0-9]*\)$/\1\t\2/p' "$log")
				if [ -z "$times" ] || [ -z "$state" ]; then
					echo "bench-map: $mapping $layout $ranges $mode: unexpected output:" >&2
					cat "$log" >&2
					status=1
					continue
				fi
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mapping" "$layout" "$ranges" \
					"$mode" "$run" "$times" "$state" >>"$tsv"
			done
		done
	done
	echo "bench-map: run $run of $runs done"
done

# Where the time goes: a system-wide cpu-clock profile of each mode on one
# case, kernel symbols from /proc/kallsyms, flat (self time) per symbol.
if [ "$profile" != none ]; then
	command -v perf >/dev/null || fail "PROFILE is $profile but there is no perf"
	IFS=: read -r layout ranges <<<"$profile"
	for mode in "${modes[@]}"; do
		data=$out/profile-$mode.data
		if ! perf record -q -N -a -e cpu-clock -F 4999 -o "$data" -- \
			"$tool" -a "$mode" -r "$ranges" -l "$layout" -s "$secs" \
			-t 1 -b 64 -d 2 -m "$max_seg" >"$out/runs/profile-$mode.log" 2>&1; then
			echo "bench-map: perf record of $mode failed:" >&2
			cat "$out/runs/profile-$mode.log" >&2
			status=1
			continue
		fi
		perf report -q -i "$data" --stdio --no-children --sort sym \
			--percent-limit 0.5 >"$out/profile-$mode.txt" 2>/dev/null || status=1
		rm -f "$data"
		echo "bench-map: profile of $mapping $layout $ranges $mode in profile-$mode.txt"
	done
fi
exit $status
