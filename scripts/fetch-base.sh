#!/bin/bash
# Fetch the pinned base kernel source (Debian's linux-source-6.12) and
# unpack it once into build/src/.  Prints the unpacked directory.
#   --test  a copy with the series' test-only patches (kernel/test/: the
#           DMA-faithful rxe mode, inert unless rdma_rxe.dma_device= is
#           given) applied, so the DMA lanes can run on the base kernel;
#           printed instead.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

with_test=0
case ${1:-} in
"") ;;
--test) with_test=1 ;;
*) die "usage: fetch-base.sh [--test] (unknown argument '$1')" ;;
esac

pkg=$(base_pkg)
want=$(base_version)
have=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)

if [ "$have" != "$want" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	if ! apt-get install -y -qq "$pkg=$want" >/dev/null 2>&1; then
		warn "************************************************************"
		warn "pinned base $pkg $want is not offered by the package mirror;"
		warn "falling back to the newest $pkg available. Results are NOT"
		warn "for the pinned base: update kernel/BASE once verified."
		warn "************************************************************"
		apt-get install -y -qq "$pkg" >/dev/null
	fi
	have=$(dpkg-query -W -f='${Version}' "$pkg")
fi

tarball=/usr/src/$pkg.tar.xz
[ -f "$tarball" ] || die "$pkg $have is installed but $tarball is missing"

dest=$BUILD/src/linux-${have//\~/_}
if [ ! -f "$dest/.unpacked" ]; then
	log "unpacking $tarball ($have)"
	rm -rf "$dest"
	mkdir -p "$dest"
	tar -C "$dest" --strip-components=1 -xf "$tarball"
	touch "$dest/.unpacked"
fi
[ $with_test = 1 ] || {
	echo "$dest"
	exit 0
}

mapfile -t tests < <(series_patches | grep '^test/' || true)
[ ${#tests[@]} -gt 0 ] || die "kernel/series lists no test/ patches for the base kernel"
stamp=$(cd "$TOP/kernel" && cat "${tests[@]}" | sha256sum | awk '{print $1}')
tdest=$dest-test
if [ "$(cat "$tdest/.test-patches" 2>/dev/null)" != "$stamp" ]; then
	log "base + ${#tests[@]} test-only patch(es) in ${tdest#"$TOP"/}"
	rm -rf "$tdest"
	cp -a "$dest" "$tdest"
	for p in "${tests[@]}"; do
		patch -d "$tdest" -p1 -s -N <"$TOP/kernel/$p" >&2 ||
			die "test-only patch kernel/$p does not apply to the base $(base_version)"
	done
	echo "$stamp" >"$tdest/.test-patches"
fi
echo "$tdest"
