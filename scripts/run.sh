#!/bin/bash
# make run: build (if stale) and boot the patched kernel, bring up the RDMA
# provider (PROVIDER, default rxe), serve and mount NFS over RDMA, connect
# an NVMe-oF/RDMA namespace, run short verified workloads, print a summary.
# Exit status 0 only if every workload verified.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PROVIDER=${PROVIDER:-rxe}
export PROVIDER
RUN_CASES=${RUN_CASES:-rdma/004 rdma/001 nfs/001 nfs/003 nvme/001}
"$TOP/scripts/tree.sh"
kout=$("$TOP/scripts/build.sh")
res=$BUILD/results/run
read -ra cases <<<"$RUN_CASES"
rc=0
KOUT=$kout RESULTS=$res LANE=$PROVIDER \
	"$TOP/scripts/vm.sh" "$TOP/userspace-tests/run" -o /run/results/tests "${cases[@]}" || rc=$?

metrics=$res/tests/metrics.tsv
release=$(sed -n 's/.*Linux version \([^ ]*\).*/\1/p' "$res/dmesg.log" 2>/dev/null | head -1)
echo
echo "phyr/dma_vec test run: kernel ${release:-?}, $(base_pkg) $(base_version) + $(series_patches | wc -l) patches, provider $PROVIDER"
if [ -s "$metrics" ]; then
	# Columns as wide as their widest entry: a result can be a count list
	# ("rdma_rw contexts": single=N multi=N mr=N iova=N).
	awk -F '\t' '
		{ c[NR] = $1; w[NR] = $2; r[NR] = $3 ($4 == "" ? "" : " " $4); v[NR] = $5
		  if (length(c[NR]) > wc) wc = length(c[NR]); if (length(w[NR]) > ww) ww = length(w[NR])
		  if (length(r[NR]) > wr) wr = length(r[NR]) }
		END {
			if (wc < 4) wc = 4; if (ww < 8) ww = 8; if (wr < 6) wr = 6
			f = "%-" wc "s  %-" ww "s  %" wr "s  %s\n"
			printf f, "CASE", "WORKLOAD", "RESULT", "VERIFIED"
			printf f, "----", "--------", "------", "--------"
			for (i = 1; i <= NR; i++) printf f, c[i], w[i], r[i], v[i]
		}' "$metrics"
	! cut -f5 "$metrics" | grep -qx no || rc=1
else
	echo "(no results: see $res/guest.log and $res/serial.log)"
	rc=1
fi
echo
grep -E '^(not )?ok ' "$res/guest.log" 2>/dev/null | sed 's/^/  /' || true
# What a real host would install instead of this VM's built-in kernel.
echo
if [[ ${release:-} == *-g* ]]; then
	pkg="linux-image-${release%-g*}-phyr-g${release##*-g}"
else
	pkg="linux-image-<release>-phyr"
fi
echo "On a real host (mlx5): make deb KCONFIG=/boot/config-\$(uname -r) builds $pkg in build/deb/;"
echo "  sudo apt install ./build/deb/${pkg}_*.deb, reboot into it, then phyr-rdma-tests (README: On a real host)"
for deb in "$BUILD"/deb/linux-image-*.deb; do
	[ -e "$deb" ] && echo "  built here: ${deb#"$TOP"/}"
done
if [ $rc = 0 ]; then
	echo "all workloads verified"
else
	echo "FAILED: see $res/guest.log (per-case logs under $res/tests/)"
fi
exit $rc
