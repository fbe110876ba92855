#!/bin/bash
# test-kconfig.sh debian|conflict: make check's host-side tests of the
# config merge behind make deb KCONFIG=... (scripts/kconfig-merge.sh):
#   debian    Debian's own 6.12 amd64 config (scripts/debian-config.sh)
#             merged with kernel/config/host.fragment keeps every option
#             a host needs
#   conflict  the same config with PCI switched off is refused, with an
#             error that names CONFIG_MLX5_CORE (which needs PCI)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

dir=$BUILD/results/kconfig-${1:-}
rm -rf "$dir"
mkdir -p "$dir"
cfg=$("$TOP/scripts/debian-config.sh")
echo "input: $(cat "$(dirname "$cfg")/source") ($cfg)"
case ${1:-} in
debian)
	"$TOP/scripts/kconfig-merge.sh" "$cfg" "$dir/out"
	grep -E '^CONFIG_(INFINIBAND|MLX5_INFINIBAND|NVME_RDMA|NVME_TARGET_RDMA|SUNRPC_XPRT_RDMA|RDMA_SIW|RDMA_RW_PHYR_KUNIT_TEST)=' "$dir/out/.config"
	;;
conflict)
	sed 's/^CONFIG_PCI=y$/# CONFIG_PCI is not set/' "$cfg" >"$dir/nopci.config"
	grep -qx '# CONFIG_PCI is not set' "$dir/nopci.config" || die "could not switch PCI off in $cfg"
	if "$TOP/scripts/kconfig-merge.sh" "$dir/nopci.config" "$dir/out" 2>"$dir/err"; then
		cat "$dir/err"
		die "a config without PCI was accepted"
	fi
	cat "$dir/err"
	grep -q '^error: CONFIG_MLX5_CORE: .*not set' "$dir/err" ||
		die "the error does not name CONFIG_MLX5_CORE"
	echo "refused, naming CONFIG_MLX5_CORE"
	;;
*) die "usage: test-kconfig.sh debian|conflict" ;;
esac
