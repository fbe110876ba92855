#!/bin/bash
# Install what building, booting and testing need (Debian 12, as root).
# Everything the guest runs comes from the host's root filesystem, so the
# test tools are installed here too.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PKGS=(
	bc bison flex libelf-dev libssl-dev cpio xz-utils ccache make gcc git
	qemu-system-x86 busybox-static kmod iproute2 gawk python3-ply python3-git
	rdma-core ibverbs-providers ibverbs-utils rdmacm-utils perftest
	nfs-kernel-server nfs-common nvme-cli fio jq shellcheck
	# make deb: the kernel's bindeb-pkg runs dpkg-buildpackage
	dpkg-dev debhelper rsync
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
# The test VM mounts a tmpfs here to show its kernel's modules.builtin.
[ -d /lib/modules ] || mkdir -p /lib/modules
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}) and not root: install them with apt-get"
log "installing: ${missing[*]}"
# Packages such as nfs-kernel-server try to start services on install;
# they are started inside the test VM instead.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
