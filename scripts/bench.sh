#!/bin/bash
# make bench: the same benchmark cases on the unpatched base kernel and on
# the patched kernel, BENCH_RUNS times each, interleaved (base, patched,
# base, ...) on this machine, with dma-debug off; prints the medians side by
# side with the ratio patched/base and each side's spread, and writes
# build/results/bench/summary.tsv (lane workload metric base_median
# patched_median ratio base_min base_max patched_min patched_max; every
# metric is higher-is-better).
#   BENCH_CASES (default: the bench group), PROVIDER (default rxe),
#   BENCH_RUNS (default 3)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PROVIDER=${PROVIDER:-rxe}
export PROVIDER
RUNS=${BENCH_RUNS:-3}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number, not '$RUNS'"
read -ra cases <<<"${BENCH_CASES:-bench}"
out=$BUILD/results/bench
rm -rf "$out"
mkdir -p "$out"
"$TOP/scripts/tree.sh"
declare -A kout
for flavour in base patched; do
	kout[$flavour]=$(FLAVOUR=$flavour "$TOP/scripts/build.sh")
done

start=$SECONDS
for run in $(seq "$RUNS"); do
	for flavour in base patched; do
		log "benchmarking $flavour kernel, run $run of $RUNS"
		res=$out/$flavour/run$run
		DMA_DEBUG=0 KOUT=${kout[$flavour]} RESULTS=$res LANE="$PROVIDER/$flavour" \
			"$TOP/scripts/vm.sh" "$TOP/userspace-tests/run" -o /run/results/tests "${cases[@]}" ||
			die "benchmark run $run on the $flavour kernel failed: see $res/guest.log"
		# lane, flavour, workload, metric (unit), value
		awk -F'\t' -v lane="$PROVIDER" -v f="$flavour" \
			'$3 ~ /^[0-9.]+$/ { print lane "\t" f "\t" $2 "\t" $4 "\t" $3 }' \
			"$res/tests/metrics.tsv" >>"$out/runs.tsv"
	done
done

# Median and spread per lane/workload/metric and flavour, then one row each.
sort -t $'\t' -k1,1 -k3,3 -k4,4 -k2,2 -k5,5g "$out/runs.tsv" | awk -F'\t' '
	function flush() {
		if (key == "") return
		n = cnt; med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		stat[key, fl] = sprintf("%.6g\t%.6g\t%.6g", med, v[1], v[n])
		keys[key] = 1
	}
	{
		k = $1 "\t" $3 "\t" $4
		if (k != key || $2 != fl) { flush(); key = k; fl = $2; cnt = 0 }
		v[++cnt] = $5
	}
	END {
		flush()
		print "lane\tworkload\tmetric\tbase_median\tpatched_median\tratio\tbase_min\tbase_max\tpatched_min\tpatched_max"
		for (k in keys) {
			if (!((k, "base") in stat) || !((k, "patched") in stat)) continue
			split(stat[k, "base"], b, "\t"); split(stat[k, "patched"], p, "\t")
			r = (b[1] > 0) ? sprintf("%.3f", p[1] / b[1]) : "-"
			print k "\t" b[1] "\t" p[1] "\t" r "\t" b[2] "\t" b[3] "\t" p[2] "\t" p[3]
		}
	}' | { read -r header; echo "$header"; sort; } >"$out/summary.tsv"

echo
echo "make bench: $PROVIDER, base = $(base_pkg) $(base_version), patched = base + $(series_patches | wc -l) patches;"
echo "same machine, $RUNS interleaved runs per kernel, dma_debug=off, $((SECONDS - start)) s; medians, [min..max]"
printf '%-34s %-22s %-22s %6s  %s\n' WORKLOAD BASE PATCHED RATIO NOTE
tail -n +2 "$out/summary.tsv" | awk -F'\t' '{
	if ($9 + 0 > $8 + 0) note = "patched faster beyond the spread"
	else if ($10 + 0 < $7 + 0) note = "patched slower beyond the spread"
	else note = "inside the spread"
	printf "%-34s %-22s %-22s %6s  %s\n", $2 " (" $3 ")",
		sprintf("%s [%s..%s]", $4, $7, $8), sprintf("%s [%s..%s]", $5, $9, $10), $6, note
}'
echo "(build/results/bench/summary.tsv; per run: build/results/bench/runs.tsv)"
