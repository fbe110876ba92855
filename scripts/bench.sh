#!/bin/bash
# make bench: the same benchmark cases on the unpatched base kernel and on
# the patched kernel, one after the other on this machine, with dma-debug
# off; prints both side by side with the ratio patched/base.
#   BENCH_CASES (default: the bench group), PROVIDER (default rxe)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PROVIDER=${PROVIDER:-rxe}
export PROVIDER
read -ra cases <<<"${BENCH_CASES:-bench}"
out=$BUILD/results/bench
rm -rf "$out"
"$TOP/scripts/tree.sh"
for flavour in base patched; do
	kout=$(FLAVOUR=$flavour "$TOP/scripts/build.sh")
	log "benchmarking $flavour kernel"
	DMA_DEBUG=0 KOUT=$kout RESULTS=$out/$flavour LANE="$PROVIDER/$flavour" \
		"$TOP/scripts/vm.sh" "$TOP/userspace-tests/run" -o /run/results/tests "${cases[@]}" ||
		die "benchmark run on the $flavour kernel failed: see $out/$flavour/guest.log"
done

echo
echo "make bench: $PROVIDER, base = $(base_pkg) $(base_version), patched = base + $(series_patches | wc -l) patches; same machine, one run"
printf '%-34s %12s %12s %8s\n' METRIC BASE PATCHED RATIO
join -t $'\t' -j1 \
	<(awk -F'\t' '{ print $2 " (" $4 ")\t" $3 }' "$out/base/tests/metrics.tsv" | sort) \
	<(awk -F'\t' '{ print $2 " (" $4 ")\t" $3 }' "$out/patched/tests/metrics.tsv" | sort) |
	awk -F'\t' '{ r = ($2 > 0) ? sprintf("%.2f", $3 / $2) : "-"; printf "%-34s %12s %12s %8s\n", $1, $2, $3, r }'
