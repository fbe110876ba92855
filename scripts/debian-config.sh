#!/bin/bash
# Fetch the kernel config Debian builds its 6.12 amd64 kernel with: the
# /boot/config-* of linux-image-<ver>+deb12-amd64-unsigned, downloaded with
# apt-get download (not installed) for the base's version (kernel/BASE), or
# the newest 6.12 one the mirror offers.  Unpacked once into build/src/.
# Prints the config file.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

want=$(base_version)
upstream=${want%%-*}
pkg=linux-image-$upstream+deb12-amd64-unsigned
ver=$want
if ! apt-cache policy "$pkg" 2>/dev/null | sed -n 's/ *Candidate: //p' | grep -qvx '(none)'; then
	apt-get update -qq || true
fi
if ! apt-cache show "$pkg=$ver" >/dev/null 2>&1; then
	pkg=$(apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' | sort -V | tail -1 || true)
	[ -n "$pkg" ] || die "the package mirror offers no linux-image-6.12.*+deb12-amd64-unsigned package (Debian's 6.12 kernel)"
	ver=$(apt-cache policy "$pkg" | sed -n 's/ *Candidate: //p')
	warn "Debian's kernel package for the base ($want) is not offered; using $pkg $ver"
fi
dest=$BUILD/src/debian-config-${ver//\~/_}
if [ ! -f "$dest/config" ]; then
	log "fetching $pkg $ver for its kernel config (apt-get download, not installed)"
	rm -rf "$dest"
	mkdir -p "$dest"
	(cd "$dest" && apt-get download -qq "$pkg=$ver") ||
		die "apt-get download $pkg=$ver failed"
	dpkg-deb --fsys-tarfile "$dest"/*.deb | tar -C "$dest" -x --wildcards './boot/config-*' ||
		die "$pkg has no /boot/config-*"
	mv "$dest"/boot/config-* "$dest/config"
	rm -rf "${dest:?}/boot" "$dest"/*.deb
	echo "$pkg $ver" >"$dest/source"
fi
echo "$dest/config"
