#!/bin/bash
# test-deb.sh [KOUT]: make check's test of make deb's packages in build/deb/
# for the kernel in KOUT (default build/out/patched-modules): linux-image
# and linux-headers of that release exist; dpkg-deb --info names the
# package and release; --contents holds the kernel the modular lanes boot
# (byte for byte KOUT's bzImage), its System.map and config, and the
# modules the series changes; the headers hold what an out-of-tree build
# needs.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kout=${1:-$BUILD/out/patched-modules}
rel=$(cat "$kout/include/config/kernel.release" 2>/dev/null) || die "no kernel built in $kout"
[[ $rel == *-phyr* ]] || die "release $rel does not name the series (-phyr): kernel/config/deb.fragment not applied"
img=("$BUILD"/deb/linux-image-"$rel"_*.deb)
hdr=("$BUILD"/deb/linux-headers-"$rel"_*.deb)
[ -f "${img[0]}" ] || die "no linux-image-$rel package in build/deb/ ($(find "$BUILD/deb" -maxdepth 1 -name '*.deb' -printf '%f ' 2>/dev/null))"
[ -f "${hdr[0]}" ] || die "no linux-headers-$rel package in build/deb/"
info=$(dpkg-deb --info "${img[0]}")
grep -q "^ Package: linux-image-$rel\$" <<<"$info" || die "dpkg-deb --info: not package linux-image-$rel: $info"
grep -q "^ Architecture: amd64\$" <<<"$info" || die "dpkg-deb --info: not amd64"
echo "${img[0]#"$BUILD"/}: $(grep -E '^ (Package|Version|Installed-Size):' <<<"$info" | tr -s ' ' | tr '\n' ' ')"
contents=$(dpkg-deb --contents "${img[0]}" | awk '{ print $NF }')
for f in "./boot/vmlinuz-$rel" "./boot/System.map-$rel" "./boot/config-$rel"; do
	grep -qx "$f" <<<"$contents" || die "${img[0]#"$BUILD"/} lacks $f"
done
for m in drivers/infiniband/core/ib_core drivers/infiniband/sw/rxe/rdma_rxe drivers/infiniband/sw/siw/siw \
	drivers/infiniband/hw/mlx5/mlx5_ib drivers/net/ethernet/mellanox/mlx5/core/mlx5_core \
	drivers/nvme/host/nvme-rdma drivers/nvme/target/nvmet-rdma net/sunrpc/xprtrdma/rpcrdma fs/nfsd/nfsd \
	drivers/infiniband/core/rdma_rw_phyr_kunit; do
	grep -qE "^\./lib/modules/$rel/kernel/$m\.ko(\.(gz|xz|zst))?\$" <<<"$contents" ||
		die "${img[0]#"$BUILD"/} lacks the module $m"
done
grep -qx "./lib/modules/$rel/modules.order" <<<"$contents" || die "${img[0]#"$BUILD"/} lacks modules.order"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "${img[0]}" | tar -C "$tmp" -x "./boot/vmlinuz-$rel"
cmp -s "$tmp/boot/vmlinuz-$rel" "$kout/arch/x86/boot/bzImage" ||
	die "the package's vmlinuz-$rel is not the kernel built in ${kout#"$TOP"/}"
hcont=$(dpkg-deb --contents "${hdr[0]}" | awk '{ print $NF }')
for f in Makefile Module.symvers include/config/auto.conf include/generated/autoconf.h scripts/basic/fixdep; do
	grep -qE "^\./usr/src/linux-headers-$rel/$f\$" <<<"$hcont" || die "${hdr[0]#"$BUILD"/} lacks usr/src/linux-headers-$rel/$f"
done
echo "packages of $rel: $(find "$BUILD/deb" -maxdepth 1 -name '*.deb' -printf '%f ')"
echo "image: kernel = ${kout#"$TOP"/}'s bzImage, $(grep -c '\.ko' <<<"$contents") modules; headers: $(grep -c . <<<"$hcont") entries"
