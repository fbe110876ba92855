#!/bin/bash
# make bench-map: the kernel's DMA map benchmark (kernel/dma/map_benchmark.c)
# timing map+unmap per I/O of the same memory four ways -- the scatterlist
# API (dma_map_sgtable()), dma_map_phyrs(), the phyr iterator and
# dma_map_phys() per range -- for scattered and contiguous pages, under
# direct mapping and under the emulated intel-iommu: two boots of the
# patched kernel built without dma-debug (build/out/patched-bench), every
# case BENCH_MAP_RUNS times, one table of medians with min-max, the ratios
# to the scatterlist, the mapping state kept per I/O, and the targets.
#   BENCH_MAP_SECONDS   seconds per case and run (default 1; TCG: ratios,
#                       not absolute times, are the result)
#   BENCH_MAP_RUNS      runs per case (default 5), interleaved
#   BENCH_MAP_RANGES    ranges per I/O (default "1 8 64 256")
#   BENCH_MAP_MAX_SEG   the device's maximum segment size during the runs
#                       (default 2147483648, mlx5's; 0: pci-testdev's 64 KiB)
#   BENCH_MAP_PROFILE   LAYOUT:RANGES, e.g. scattered:256: also a perf
#                       profile of every mode on that case, per mapping
#                       (default none)
#   BENCH_MAP_STRICT=1  exit 1 when a target is missed (default: report only)
#   KOUT                an already built kernel output directory (default:
#                       build the benchmark kernel)
# Results: build/results/bench-map/ (table.txt, summary.tsv, results.tsv,
# one directory per boot with the tool's output per case and run, and the
# profiles).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

SECS=${BENCH_MAP_SECONDS:-1}
RUNS=${BENCH_MAP_RUNS:-5}
MAX_SEG=${BENCH_MAP_MAX_SEG:-2147483648}
read -ra ranges <<<"${BENCH_MAP_RANGES:-1 8 64 256}"
[ ${#ranges[@]} -gt 0 ] || die "BENCH_MAP_RANGES is empty"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_MAP_RUNS must be a positive number, not '$RUNS'"
MODES=sgtable,phyrs,iter,phys
PROFILE=${BENCH_MAP_PROFILE:-none}
[[ $PROFILE = none || $PROFILE =~ ^(scattered|contiguous):[1-9][0-9]*$ ]] ||
	die "BENCH_MAP_PROFILE must be none or LAYOUT:RANGES (e.g. scattered:256), not '$PROFILE'"
# The targets: phyr/sg time ratio on direct mapping (every range count) and
# under the IOMMU (from IOMMU_MIN_RANGES ranges on), no shape slower than
# the scatterlist, and the mapping state kept per I/O.
DIRECT_MAX=0.70 IOMMU_MAX=0.50 IOMMU_MIN_RANGES=64 ANY_MAX=1.00

out=$BUILD/results/bench-map
rm -rf "$out"
mkdir -p "$out"

if [ -n "${KOUT:-}" ]; then
	kout=$(cd "$KOUT" && pwd)
else
	"$TOP/scripts/tree.sh"
	kout=$(BENCH=1 "$TOP/scripts/build.sh")
fi
if grep -q '^CONFIG_DMA_API_DEBUG=y' "$kout/.config"; then
	warn "${kout#"$TOP"/} has CONFIG_DMA_API_DEBUG=y: dma_need_unmap() is always true there, results are not those of a production kernel"
fi
# The user tool and the kernel must come from the same tree: kbuild links
# an O= output directory to its source.
src=$kout
[ ! -e "$kout/source" ] || src=$(readlink -f "$kout/source")
hdr=$src/include/linux/map_benchmark.h
grep -q DMA_MAP_API_ITER "$hdr" ||
	die "${hdr#"$TOP"/} has no DMA_MAP_API_ITER: the tree lacks the benchmark patches"
grep -q '^CONFIG_DMA_MAP_BENCHMARK=y' "$kout/.config" ||
	die "CONFIG_DMA_MAP_BENCHMARK=y is not set in ${kout#"$TOP"/}/.config"

# The tool runs in the guest, which shares the host's root: build it here.
# The header is not a uapi header in 6.12; copy it next to the tool rather
# than put the kernel's include/ (with its own linux/types.h) on the path.
tooldir=$BUILD/bench-map
tool=$tooldir/dma_map_benchmark
mkdir -p "$tooldir/include/linux"
cp "$hdr" "$tooldir/include/linux/"
gcc -O2 -Wall -I"$tooldir/include" -o "$tool" \
	"$src/tools/testing/selftests/dma/dma_map_benchmark.c" ||
	die "building the dma_map_benchmark user tool failed"
log "built ${tool#"$TOP"/} from ${src#"$TOP"/}"

failed=()
for mapping in direct iommu; do
	iommu=0
	[ "$mapping" = direct ] || iommu=1
	log "benchmarking with $mapping mapping: ${#ranges[@]} range counts x 2 layouts x 4 modes x $RUNS runs, ${SECS} s each"
	# The spare PCI function is the benchmark's alone: no rxe DMA device, no
	# KUnit suite on it.  A failed case or boot leaves the others' results.
	IOMMU=$iommu SWIOTLB=0 FORCE_MR=0 DMA_DEV=0 DMA_DEBUG=0 KUNIT=0 KUNIT_PCI=0 KOUT=$kout \
		RESULTS=$out/$mapping LANE=bench-map/$mapping \
		"$TOP/scripts/vm.sh" "$TOP/scripts/bench-map-guest.sh" "$mapping" "$tool" "$SECS" \
		"$RUNS" "$MAX_SEG" "$MODES" "$PROFILE" "${ranges[@]}" ||
		failed+=("$mapping")
done
{
	printf '#mapping\tlayout\tranges\tmode\trun\tmap_ns\tunmap_ns\tdma_ranges\tretained_bytes\n'
	cat "$out"/{direct,iommu}/bench-map.tsv 2>/dev/null | grep -v '^#' || true
} >"$out/results.tsv"

# summary.tsv: one line per case and mode, the median and spread of
# map+unmap over the runs (comparable across commits).
{
	printf 'mapping\tlayout\tranges\tmode\tmedian_us\tmin_us\tmax_us\tbytes_per_io\tdma_vecs\n'
	awk -F'\t' '
	/^#/ { next }
	{
		k = $1 "\t" $2 "\t" $3 "\t" $4
		if (!(k in n)) keys[++nk] = k
		v[k, ++n[k]] = ($6 + $7) / 1000; rb[k] = $9; dr[k] = $8
	}
	END {
		for (i = 1; i <= nk; i++) {
			k = keys[i]; m = n[k]
			for (a = 1; a <= m; a++) s[a] = v[k, a]
			for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++)
				if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
			med = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
			printf "%s\t%.3f\t%.3f\t%.3f\t%s\t%s\n", k, med, s[1], s[m], rb[k], dr[k]
		}
	}' "$out/results.tsv"
} >"$out/summary.tsv"

met=0
{
	echo
	echo "make bench-map: map+unmap per I/O of PAGE_SIZE ranges, median of $RUNS runs (min-max), in us"
	echo "kernel $(cat "$kout/include/config/kernel.release") from ${src#"$TOP"/} without dma-debug; 1 thread, ${SECS} s per case and run;"
	echo "device max segment $MAX_SEG; QEMU TCG (absolute times are noisy, ratios are the result)"
	echo
	awk -F'\t' -v dmax="$DIRECT_MAX" -v imax="$IOMMU_MAX" -v imin="$IOMMU_MIN_RANGES" \
		-v amax="$ANY_MAX" '
	NR == 1 { next }
	{
		k = $1 SUBSEP $2 SUBSEP $3
		if (!(k in seen)) { seen[k] = 1; keys[++n] = k }
		med[k, $4] = $5; lo[k, $4] = $6; hi[k, $4] = $7; rb[k, $4] = $8; dv[k, $4] = $9
	}
	function cell(k, m) { return (med[k, m] == "") ? "-" : sprintf("%.2f (%.2f-%.2f)", med[k, m], lo[k, m], hi[k, m]) }
	function ratio(k, m) { return (med[k, m] == "" || med[k, "sgtable"] == "" || med[k, "sgtable"] == 0) ? "" : med[k, m] / med[k, "sgtable"] }
	function verdict(ok) { return ok ? "met" : "MISSED" }
	function tally(ok, total) { return total ? verdict(ok == total) " " (ok + 0) "/" total : "NO DATA" }
	END {
		fmt = "%-6s %-10s %4s  %-20s %-20s %5s  %-20s %5s  %-20s %5s  %-22s %s\n"
		printf fmt, "MAP", "LAYOUT", "N", "SG", "PHYRS", "x", "ITER", "x", "PHYS", "x", "B/IO sg/phyrs/iter/phys", "DMA RANGES"
		for (i = 1; i <= n; i++) {
			k = keys[i]; split(k, f, SUBSEP)
			rp = ratio(k, "phyrs"); ri = ratio(k, "iter"); rh = ratio(k, "phys")
			printf fmt, f[1], f[2], f[3], cell(k, "sgtable"), cell(k, "phyrs"),
				rp == "" ? "-" : sprintf("%.2f", rp), cell(k, "iter"),
				ri == "" ? "-" : sprintf("%.2f", ri), cell(k, "phys"),
				rh == "" ? "-" : sprintf("%.2f", rh),
				rb[k, "sgtable"] "/" rb[k, "phyrs"] "/" rb[k, "iter"] "/" rb[k, "phys"],
				dv[k, "sgtable"] "/" dv[k, "phyrs"] "/" dv[k, "iter"] "/" dv[k, "phys"]
			if (rp == "" || ri == "") { incomplete++; continue }
			best = (ri < rp) ? ri : rp
			for (mi = 1; mi <= 2; mi++) {
				m = mi == 1 ? "phyrs" : "iter"; r = ratio(k, m)
				tot[m]++; anyok[m] += (r <= amax)
				if (f[1] == "direct") { dn[m]++; dok[m] += (r <= dmax) }
				else if (f[3] + 0 >= imin + 0) { in_[m]++; iok[m] += (r <= imax) }
			}
			# retained state: the iterator behind the IOMMU keeps one
			# 16-byte state per coalesced I/O; phyrs on dma-direct keep
			# nothing when unmap is a no-op
			if (f[1] == "iommu") { sn++; sok += (rb[k, "iter"] + 0 <= 16 && dv[k, "iter"] == 1) }
			else { zn++; zok += (rb[k, "phyrs"] + 0 == 0 && rb[k, "iter"] + 0 == 0) }
		}
		print ""
		print "targets (phyrs | iter):"
		tfmt = "  %-62s %s | %s\n"
		printf tfmt, "<= " dmax "x sg time, direct mapping, every shape",
			tally(dok["phyrs"], dn["phyrs"]), tally(dok["iter"], dn["iter"])
		printf tfmt, "<= " imax "x sg time, IOMMU, " imin "+ ranges",
			tally(iok["phyrs"], in_["phyrs"]), tally(iok["iter"], in_["iter"])
		printf tfmt, "<= " amax "x sg time, every shape",
			tally(anyok["phyrs"], tot["phyrs"]), tally(anyok["iter"], tot["iter"])
		printf "  %-62s %s\n", "retained <= 16 bytes per coalesced I/O behind the IOMMU (iter)",
			tally(sok, sn)
		printf "  %-62s %s\n", "retained 0 bytes on dma-direct, unmap a no-op (phyrs, iter)",
			tally(zok, zn)
		if (incomplete)
			printf "  %d case(s) incomplete (see the boot logs)\n", incomplete
		print ""
		print "x: median time relative to SG.  B/IO: mapping state kept per I/O until unmap (sg: the"
		print "sg_table and its entries; phyrs/phys: the dma_vecs, none if dma_need_unmap() is false;"
		print "iter: the dma_iova_state behind the IOMMU, kept ranges otherwise).  DMA RANGES: per I/O."
		ok = (dok["phyrs"] == dn["phyrs"] && iok["phyrs"] == in_["phyrs"] && anyok["phyrs"] == tot["phyrs"] &&
			sok == sn && zok == zn && !incomplete && n > 0)
		exit ok ? 0 : 3
	}' "$out/summary.tsv"
} | tee "$out/table.txt" || met=$?
echo "results: ${out#"$TOP"/}/ (table.txt, summary.tsv, results.tsv, per boot: runs/, guest.log, dmesg.log)"
if [ ${#failed[@]} -gt 0 ]; then
	die "cases failed with ${failed[*]} mapping: see ${out#"$TOP"/}/<mapping>/guest.log, serial.log and dmesg.log"
fi
if [ "$met" != 0 ] && [ "${BENCH_MAP_STRICT:-0}" = 1 ]; then
	die "BENCH_MAP_STRICT=1 and not every target is met"
fi
exit 0
