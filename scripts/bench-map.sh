#!/bin/bash
# make bench-map: the kernel's DMA map benchmark (kernel/dma/map_benchmark.c)
# timing map+unmap per I/O with the scatterlist API (dma_map_sgtable())
# against dma_map_phyrs(), for scattered and contiguous pages, under direct
# mapping and under the emulated intel-iommu: two boots of the patched
# kernel, dma-debug off, one table with the ratio phyr/sg, the mapping state
# kept per I/O, and whether each target is met.
#   BENCH_MAP_SECONDS   seconds per case (default 1; TCG: ratios, not
#                       absolute times, are the result)
#   BENCH_MAP_RANGES    ranges per I/O (default "1 8 64 256")
#   BENCH_MAP_STRICT=1  exit 1 when a target is missed (default: report only)
#   KOUT                an already built kernel output directory (default:
#                       build the patched kernel like make bench does)
# Results: build/results/bench-map/ (table.txt, results.tsv, one directory
# per boot with the tool's output per case, guest.log, dmesg.log).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

SECS=${BENCH_MAP_SECONDS:-1}
read -ra ranges <<<"${BENCH_MAP_RANGES:-1 8 64 256}"
[ ${#ranges[@]} -gt 0 ] || die "BENCH_MAP_RANGES is empty"
# The targets: phyr/sg time ratio on direct mapping (every range count) and
# under the IOMMU (from IOMMU_MIN_RANGES ranges on), retained mapping state
# per output range of phyr.
DIRECT_MAX=0.70 IOMMU_MAX=0.50 IOMMU_MIN_RANGES=64 STATE_MAX=16

out=$BUILD/results/bench-map
rm -rf "$out"
mkdir -p "$out"

if [ -n "${KOUT:-}" ]; then
	kout=$(cd "$KOUT" && pwd)
else
	"$TOP/scripts/tree.sh"
	kout=$("$TOP/scripts/build.sh")
fi
# The user tool and the kernel must come from the same tree: kbuild links
# an O= output directory to its source.
src=$kout
[ ! -e "$kout/source" ] || src=$(readlink -f "$kout/source")
hdr=$src/include/linux/map_benchmark.h
grep -q DMA_MAP_API_PHYRS "$hdr" ||
	die "${hdr#"$TOP"/} has no DMA_MAP_API_PHYRS: the tree lacks the benchmark patch"
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
	log "benchmarking with $mapping mapping: ${#ranges[@]} range counts x 2 layouts x 2 APIs, ${SECS} s each"
	# The spare PCI function is the benchmark's alone: no rxe DMA device, no
	# KUnit suite on it.  A failed case or boot leaves the others' results.
	IOMMU=$iommu SWIOTLB=0 FORCE_MR=0 DMA_DEV=0 DMA_DEBUG=0 KUNIT=0 KUNIT_PCI=0 KOUT=$kout \
		RESULTS=$out/$mapping LANE=bench-map/$mapping \
		"$TOP/scripts/vm.sh" "$TOP/scripts/bench-map-guest.sh" "$mapping" "$tool" "$SECS" "${ranges[@]}" ||
		failed+=("$mapping")
done
{
	printf '#mapping\tlayout\tranges\tapi\tmap_ns\tunmap_ns\tdma_ranges\tretained_bytes\n'
	cat "$out"/{direct,iommu}/bench-map.tsv 2>/dev/null | grep -v '^#' || true
} >"$out/results.tsv"

met=0
{
	echo
	echo "make bench-map: dma_map_sgtable() vs dma_map_phyrs(), map+unmap per I/O of PAGE_SIZE ranges"
	echo "kernel $(cat "$kout/include/config/kernel.release") from ${src#"$TOP"/}; 1 thread, ${SECS} s per case, dma_debug=off, QEMU TCG (absolute times are noisy, ratios are the result)"
	echo
	awk -F'\t' -v dmax="$DIRECT_MAX" -v imax="$IOMMU_MAX" -v imin="$IOMMU_MIN_RANGES" \
		-v smax="$STATE_MAX" '
	/^#/ { next }
	{
		k = $1 SUBSEP $2 SUBSEP $3
		if (!(k in seen)) { seen[k] = 1; keys[++n] = k }
		ns[k, $4] = $5 + $6; dr[k, $4] = $7; rb[k, $4] = $8
	}
	function verdict(ok) { return ok ? "met" : "MISSED" }
	function summary(ok, total) { return total ? verdict(ok == total) : "NO DATA" }
	END {
		fmt = "%-7s %-10s %6s %9s %9s %7s %-14s %8s %9s %11s %12s\n"
		printf fmt, "MAPPING", "LAYOUT", "RANGES", "SG us", "PHYR us", "PHYR/SG", "TIME TARGET",
			"SG B/IO", "PHYR B/IO", "OUT SG/PHYR", "PHYR B/RANGE"
		for (i = 1; i <= n; i++) {
			k = keys[i]
			split(k, f, SUBSEP)
			sg = ns[k, "sgtable"]; ph = ns[k, "phyrs"]
			if (sg == "" || ph == "") {
				printf "%-7s %-10s %6s  incomplete (see the boot logs)\n", f[1], f[2], f[3]
				incomplete++
				continue
			}
			ratio = sg > 0 ? ph / sg : 0
			target = "-"
			if (f[1] == "direct") {
				ok = ratio <= dmax; target = "<=" dmax " " verdict(ok)
				dn++; dok += ok
				if (f[3] + 0 >= imin + 0) { dn64++; dok64 += ok }
			} else if (f[3] + 0 >= imin + 0) {
				ok = ratio <= imax; target = "<=" imax " " verdict(ok)
				in_++; iok += ok
			}
			per = dr[k, "phyrs"] > 0 ? rb[k, "phyrs"] / dr[k, "phyrs"] : 0
			sn++; sok += (per <= smax)
			printf fmt, f[1], f[2], f[3], sprintf("%.2f", sg / 1000), sprintf("%.2f", ph / 1000),
				sprintf("%.2f", ratio), target, rb[k, "sgtable"], rb[k, "phyrs"],
				dr[k, "sgtable"] "/" dr[k, "phyrs"], sprintf("%.1f", per)
		}
		print ""
		print "targets:"
		tfmt = "  %-58s %-7s %s\n"
		printf tfmt, "phyr <= " dmax "x sg time, direct mapping, every range count",
			summary(dok, dn), sprintf("(%d/%d cases; %d+ ranges: %d/%d)", dok, dn, imin, dok64, dn64)
		printf tfmt, "phyr <= " imax "x sg time, IOMMU, " imin "+ ranges",
			summary(iok, in_), sprintf("(%d/%d cases)", iok, in_)
		printf tfmt, "phyr retained state <= " smax " bytes per output range",
			summary(sok, sn), sprintf("(%d/%d cases)", sok, sn)
		if (incomplete)
			printf "  %d case(s) incomplete\n", incomplete
		print ""
		print "SG/PHYR us: average map + unmap time per I/O.  B/IO: mapping state kept per I/O while mapped"
		print "(sg: sg_table + orig_nents scatterlist entries; phyr: the dma_vecs).  OUT: DMA ranges per I/O."
		exit ((dn && dok == dn && in_ && iok == in_ && sn && sok == sn && !incomplete) ? 0 : 3)
	}' "$out/results.tsv"
} | tee "$out/table.txt" || met=$?
echo "results: ${out#"$TOP"/}/ (table.txt, results.tsv, per boot: runs/, guest.log, dmesg.log)"
if [ ${#failed[@]} -gt 0 ]; then
	die "cases failed with ${failed[*]} mapping: see ${out#"$TOP"/}/<mapping>/guest.log, serial.log and dmesg.log"
fi
if [ "$met" != 0 ] && [ "${BENCH_MAP_STRICT:-0}" = 1 ]; then
	die "BENCH_MAP_STRICT=1 and not every target is met"
fi
exit 0
