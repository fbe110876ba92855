#!/bin/bash
# Shared helpers for the phyr/dma_vec project scripts.  Sourced, not run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
export TOP BUILD

log() { printf '>>> %s\n' "$*" >&2; }
warn() { printf '!!! %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# base_pkg / base_version: what kernel/BASE pins.
base_pkg() { awk '{print $1}' "$TOP/kernel/BASE"; }
base_version() { awk '{print $2}' "$TOP/kernel/BASE"; }

# series_patches: the patch files listed in kernel/series, in order.
series_patches() {
	[ -f "$TOP/kernel/series" ] || return 0
	grep -vE '^[[:space:]]*(#|$)' "$TOP/kernel/series" | awk '{print $1}'
}

# series_hash: one hash over the series file and every patch it lists.
series_hash() {
	{
		cat "$TOP/kernel/series" 2>/dev/null || true
		local p
		while read -r p; do
			cat "$TOP/kernel/$p"
		done < <(series_patches)
	} | sha256sum | awk '{print $1}'
}

# lane_deferred LANE: the cases make check leaves on LANE to make
# check-stress, which runs exactly these (make check + make check-stress =
# every case on every lane).  They do not depend on the DMA mode: the NFSv4.1
# and NFSv4.2 fio cases (nfs/001 runs NFSv3 fio and nfs/004 NFSv3, v4.1 and
# v4.2 on every lane) and the allocation-failure case of nvme-rdma; and the
# DMA-map fault injection cases (nfs/006, nvme/004) everywhere but on
# FULL_LANE (virtual DMA) and rxe-dma-iommu (the IOMMU's IOVA path), and
# nvme/004 on siw-nodebug too (soft-iWARP's MR path).  nfs/006 on siw is
# left to make check-stress: it fails there, the NFS server loses Read
# contexts and their MRs under the reconnects (README, fault injection).
# FULL_LANE runs everything.
FULL_LANE=rxe
lane_deferred() {
	case $1 in
	"$FULL_LANE" | kunit*) ;;
	rxe-dma-iommu) echo "nfs/002 nfs/003 nvme/003" ;;
	siw-nodebug) echo "nfs/002 nfs/003 nvme/003 nfs/006" ;;
	*) echo "nfs/002 nfs/003 nvme/003 nfs/006 nvme/004" ;;
	esac
}

# lane_vars LANE: the vm.sh variables for a lane name (make check's and
# make bench's LANES): PROVIDER[-dma][-force_mr][-swiotlb][-iommu][-nodebug]
# [-modules], or kunit[-swiotlb][-iommu].  "modules" boots the kernel of
# make deb's package (RDMA, NFS, NVMe as modules), see scripts/vm.sh.
lane_vars() {
	local lane=$1 part provider
	provider=${lane%%-*}
	if [ "$provider" = kunit ]; then
		echo KUNIT=1
	else
		echo "PROVIDER=$provider"
	fi
	for part in $(tr - ' ' <<<"${lane#*-}"); do
		[ "$part" != "$provider" ] || continue
		case $part in
		force_mr) echo FORCE_MR=1 ;;
		swiotlb) echo SWIOTLB=1 ;;
		iommu)
			echo IOMMU=1
			# platform devices have no IOMMU: test the PCI function
			[ "$provider" != kunit ] || echo KUNIT_PCI=1
			;;
		dma) echo DMA_DEV=1 ;;
		nodebug) echo DMA_DEBUG=0 ;;
		modules) echo MODULES=1 ;;
		*) die "unknown lane part '$part' in '$lane'" ;;
		esac
	done
}
