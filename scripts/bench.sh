#!/bin/bash
# make bench: the same benchmark cases on the base kernel and on the patched
# kernel, on the same machine in one run, with dma-debug off:
#  - throughput: BENCH_RUNS boots per kernel and lane, interleaved (base,
#    patched, base, ...); medians side by side with the ratio patched/base
#    and each side's spread, in build/results/bench/summary.tsv (lane
#    workload metric base_median patched_median ratio base_min base_max
#    patched_min patched_max; every metric is higher-is-better);
#  - per-I/O counters: one more boot per kernel and lane with one vCPU and
#    the probes of userspace-tests/common/counters (kept out of the timed
#    runs, which they would slow), in build/results/bench/counters.tsv
#    (lane workload counter base patched).
# The base kernel is the pinned base plus the test-only rxe DMA mode
# (kernel/test/), so the rxe-dma lanes compare like with like.
#   BENCH_LANES (default: rxe rxe-dma rxe-dma-iommu), BENCH_RUNS (default 3),
#   BENCH_CASES (default: the bench group), BENCH_COUNT=0 (no counting runs),
#   BENCH_KEEP=1 (replace only what this run measures, BENCH_LANES' timed
#   runs and/or counts, and keep every other row of the earlier run: e.g.
#   BENCH_KEEP=1 BENCH_RUNS=0 BENCH_LANES=rxe-dma-iommu recounts one lane)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

RUNS=${BENCH_RUNS:-3}
[[ $RUNS =~ ^[0-9]+$ ]] || die "BENCH_RUNS must be a number, not '$RUNS'"
read -ra lanes <<<"${BENCH_LANES:-rxe rxe-dma rxe-dma-iommu}"
read -ra cases <<<"${BENCH_CASES:-bench}"
COUNT=${BENCH_COUNT:-1}
unset BENCH_COUNT
[ "$RUNS" -gt 0 ] || [ "$COUNT" = 1 ] || die "BENCH_RUNS=0 with BENCH_COUNT=0: nothing to run"
for lane in "${lanes[@]}"; do
	case $lane in
	kunit* | *nodebug*) die "BENCH_LANES: '$lane' is not a benchmark lane (every bench lane boots with dma_debug=off)" ;;
	esac
	lane_vars "$lane" >/dev/null
done
out=$BUILD/results/bench
if [ "${BENCH_KEEP:-0}" = 1 ] && [ -f "$out/runs.tsv" ]; then
	for lane in "${lanes[@]}"; do
		kinds=()
		if [ "$RUNS" -gt 0 ]; then
			rm -rf "${out:?}/$lane"/*/run*
			kinds+=(runs)
		fi
		if [ "$COUNT" = 1 ]; then
			rm -rf "${out:?}/$lane"/*/count
			kinds+=(counts)
		fi
		for f in "${kinds[@]}"; do
			touch "$out/$f.tsv"
			awk -F'\t' -v lane="$lane" '$1 != lane' "$out/$f.tsv" >"$out/$f.tsv.new"
			mv "$out/$f.tsv.new" "$out/$f.tsv"
		done
	done
else
	rm -rf "$out"
	mkdir -p "$out"
	: >"$out/runs.tsv"
	: >"$out/counts.tsv"
fi
"$TOP/scripts/tree.sh"
declare -A kout
for flavour in base patched; do
	kout[$flavour]=$(FLAVOUR=$flavour "$TOP/scripts/build.sh")
done

# bench_boot LANE FLAVOUR RESULTS [VAR=VALUE...]: the bench cases, one boot.
bench_boot() {
	local lane=$1 flavour=$2 res=$3 vars
	shift 3
	mapfile -t vars < <(lane_vars "$lane")
	env "${vars[@]}" "$@" DMA_DEBUG=0 SG_PROBES=0 KOUT="${kout[$flavour]}" RESULTS="$res" LANE="$lane/$flavour" \
		"$TOP/scripts/vm.sh" "$TOP/userspace-tests/run" -o /run/results/tests "${cases[@]}" ||
		die "benchmark on the $flavour kernel, lane $lane, failed: see $res/guest.log"
}

start=$SECONDS
for lane in "${lanes[@]}"; do
	for run in $(seq "$RUNS"); do
		for flavour in base patched; do
			log "benchmarking $flavour kernel, lane $lane, run $run of $RUNS"
			res=$out/$lane/$flavour/run$run
			bench_boot "$lane" "$flavour" "$res"
			# lane, flavour, workload, metric (unit), value
			awk -F'\t' -v lane="$lane" -v f="$flavour" \
				'$3 ~ /^[0-9.]+$/ && $4 != "per_io" { print lane "\t" f "\t" $2 "\t" $4 "\t" $3 }' \
				"$res/tests/metrics.tsv" >>"$out/runs.tsv"
		done
	done
	[ "$COUNT" = 1 ] || continue
	for flavour in base patched; do
		log "counting per-I/O DMA work on the $flavour kernel, lane $lane (one vCPU)"
		res=$out/$lane/$flavour/count
		bench_boot "$lane" "$flavour" "$res" VM_CPUS=1 BENCH_COUNT=1 BENCH_SECONDS="${BENCH_COUNT_SECONDS:-3}"
		# lane, flavour, "workload: counter", value
		awk -F'\t' -v lane="$lane" -v f="$flavour" \
			'$4 == "per_io" { print lane "\t" f "\t" $2 "\t" $3 }' \
			"$res/tests/metrics.tsv" >>"$out/counts.tsv"
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

# One row per lane, workload and counter, base beside patched.
awk -F'\t' '
	{ split($3, w, ": "); k = $1 "\t" w[1] "\t" w[2]; v[k, $2] = $4; keys[k] = 1 }
	END {
		print "lane\tworkload\tcounter\tbase\tpatched"
		for (k in keys) {
			b = ((k, "base") in v) ? v[k, "base"] : "-"
			p = ((k, "patched") in v) ? v[k, "patched"] : "-"
			print k "\t" b "\t" p
		}
	}' "$out/counts.tsv" | { read -r header; echo "$header"; sort; } >"$out/counters.tsv"

echo
echo "make bench: lanes $(tail -n +2 "$out/summary.tsv" | cut -f1 | sort -u | xargs) (run now: ${lanes[*]}); base = $(base_pkg) $(base_version) + test-only rxe DMA mode,"
if [ "$RUNS" -gt 0 ]; then
	runs_said="$RUNS interleaved runs per kernel"
else
	runs_said="no timed runs now (throughput rows kept from the earlier run)"
fi
echo "patched = base + $(series_patches | wc -l) patches; same machine, $runs_said,"
echo "dma_debug=off, $((SECONDS - start)) s; medians, [min..max]"
printf '%-14s %-34s %-22s %-22s %6s  %s\n' LANE WORKLOAD BASE PATCHED RATIO NOTE
tail -n +2 "$out/summary.tsv" | awk -F'\t' '{
	if ($9 + 0 > $8 + 0) note = "patched faster beyond the spread"
	else if ($10 + 0 < $7 + 0) note = "patched slower beyond the spread"
	else note = "inside the spread"
	printf "%-14s %-34s %-22s %-22s %6s  %s\n", $1, $2 " (" $3 ")",
		sprintf("%s [%s..%s]", $4, $7, $8), sprintf("%s [%s..%s]", $5, $9, $10), $6, note
}'
if [ "$COUNT" = 1 ]; then
	echo
	echo "per I/O (fio I/Os; both sides of the loopback: host and target, client and server)"
	printf '%-14s %-24s %-15s %10s %10s\n' LANE WORKLOAD COUNTER BASE PATCHED
	tail -n +2 "$out/counters.tsv" | awk -F'\t' '{ printf "%-14s %-24s %-15s %10s %10s\n", $1, $2, $3, $4, $5 }'
fi
echo "(build/results/bench/summary.tsv, counters.tsv; per run: runs.tsv, counts.tsv)"
