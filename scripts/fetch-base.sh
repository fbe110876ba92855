#!/bin/bash
# Fetch the pinned base kernel source (Debian's linux-source-6.12) and
# unpack it once into build/src/.  Prints the unpacked directory.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

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
echo "$dest"
