#!/bin/bash
# phyr-rdma-tests [-o RESULTS_DIR] [CASE_OR_GROUP...]: the integration suite
# (NFS over RDMA, NVMe-oF over RDMA, perftest, the rdma_rw self-test) on a
# real RDMA NIC, installed by `make install-tests`.  It checks the host
# first and says what is missing:
#   RDMA_DEV  the RDMA device (e.g. mlx5_0), its port 1 ACTIVE
#   NETDEV    its network device, up
#   ADDR      an IPv4 address on NETDEV; client and server both use it
# and that the running kernel is the patched one (rdma_rw_ctx_init_phyrs in
# /proc/kallsyms once ib_core is loaded), that nfsd has no RDMA listener on
# NFS_RDMA_PORT (20049) and that no nvmet port uses NVME_PORT (4420).
# Results go to RESULTS_DIR (default /var/tmp/phyr-rdma-tests/<date>).
set -euo pipefail

self=$(readlink -f "$0")
share=$(dirname "$self")/../share/phyr-rdma-tests
[ -x "$share/run" ] || { echo "error: the suite is not installed next to $self (no $share/run)" >&2; exit 2; }

errors=0
problem() { echo "error: $*" >&2; errors=$((errors + 1)); }

[ "$(id -u)" -eq 0 ] || { echo "error: phyr-rdma-tests needs root (RDMA devices, mounts, configfs)" >&2; exit 2; }
for v in RDMA_DEV NETDEV ADDR; do
	[ -n "${!v:-}" ] || problem "$v is not set (e.g. RDMA_DEV=mlx5_0 NETDEV=enp1s0f0np0 ADDR=192.0.2.1 phyr-rdma-tests)"
done
[ "$errors" = 0 ] || exit 2

modprobe -q ib_core 2>/dev/null || true
if [ ! -d "/sys/class/infiniband/$RDMA_DEV" ]; then
	devs=
	for d in /sys/class/infiniband/*; do
		[ -e "$d" ] && devs+="${devs:+ }$(basename "$d")"
	done
	problem "no RDMA device '$RDMA_DEV' (devices here: ${devs:-none; is mlx5_ib loaded?})"
else
	state=$(cat "/sys/class/infiniband/$RDMA_DEV/ports/1/state" 2>/dev/null || echo unknown)
	[[ $state == *ACTIVE* ]] || problem "RDMA device $RDMA_DEV port 1 is not ACTIVE ($state): link down?"
fi
if [ ! -d "/sys/class/net/$NETDEV" ]; then
	problem "no network device '$NETDEV'"
else
	[ "$(cat "/sys/class/net/$NETDEV/operstate")" = up ] || problem "$NETDEV is not up (operstate $(cat "/sys/class/net/$NETDEV/operstate"))"
	if ! command -v ip >/dev/null; then
		problem "no 'ip' command (iproute2) to check that $ADDR is on $NETDEV"
	elif ! ip -4 -o addr show dev "$NETDEV" | awk '{ sub(/\/.*/, "", $4); print $4 }' | grep -qxF "$ADDR"; then
		problem "$ADDR is not an IPv4 address of $NETDEV"
	fi
fi
grep -qE ' rdma_rw_ctx_init_phyrs$' /proc/kallsyms ||
	problem "the running kernel ($(uname -r)) is not the patched one: no rdma_rw_ctx_init_phyrs (install the series' kernel and boot it)"
nfs_port=${NFS_RDMA_PORT:-20049}
if [ -r /proc/fs/nfsd/portlist ] && grep -qx "rdma $nfs_port" /proc/fs/nfsd/portlist; then
	problem "nfsd already listens for RDMA on port $nfs_port (stop the NFS server or set NFS_RDMA_PORT)"
fi
nvme_port=${NVME_PORT:-4420}
for p in /sys/kernel/config/nvmet/ports/*/addr_trsvcid; do
	[ -r "$p" ] && [ "$(cat "$p")" = "$nvme_port" ] &&
		problem "nvmet port $(basename "$(dirname "$p")") already uses $nvme_port (remove it or set NVME_PORT)"
done
[ "$errors" = 0 ] || { echo "phyr-rdma-tests: $errors problem(s), nothing run" >&2; exit 2; }

results=/var/tmp/phyr-rdma-tests/$(date +%Y%m%d-%H%M%S)
args=()
if [ "${1:-}" = -o ] && [ $# -ge 2 ]; then
	results=$2
	shift 2
fi
[ $# -eq 0 ] || args=("$@")
echo "phyr-rdma-tests: $RDMA_DEV ($NETDEV, $ADDR) on $(uname -r); results in $results"
export RDMA_PROVIDER=hw RDMA_DEV NETDEV ADDR LANE=${LANE:-$RDMA_DEV}
exec "$share/run" -o "$results" "${args[@]}"
