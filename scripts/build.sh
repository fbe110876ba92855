#!/bin/bash
# Build a test kernel.  FLAVOUR selects what:
#   patched (default)  build/linux (base + series)      -> build/out/patched
#   base               the base source + kernel/test/    -> build/out/base
#                      (the test-only rxe DMA mode, inert unless
#                      rdma_rxe.dma_device= is set; nothing of the series)
# KASAN=1 adds kernel/config/kasan.fragment (output dir gets a -kasan suffix).
# BENCH=1 adds kernel/config/bench.fragment: no dma-debug (-bench suffix).
# MODULES=1 adds kernel/config/host.fragment, modules-vm.fragment and
#   deb.fragment: RDMA, NFS and NVMe as modules, as a distribution builds
#   them (-modules suffix; the modular lanes, make deb's default).
# KCONFIG=FILE builds that config (e.g. a host's /boot/config-*) merged
#   with host.fragment and deb.fragment by scripts/kconfig-merge.sh, into
#   build/out/deb-host (make deb KCONFIG=...).
# DEB=1 then packages the kernel with the kernel's own bindeb-pkg into
#   build/deb/ (linux-image, linux-headers, linux-libc-dev).
# Prints the output directory on stdout.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

FLAVOUR=${FLAVOUR:-patched}
case $FLAVOUR in
patched)
	src=$BUILD/linux
	[ -d "$src/.git" ] || "$TOP/scripts/tree.sh"
	;;
base) src=$("$TOP/scripts/fetch-base.sh" --test) ;;
*) die "FLAVOUR must be 'patched' or 'base', not '$FLAVOUR'" ;;
esac
out=$BUILD/out/$FLAVOUR
ours=("$TOP"/kernel/config/*.config)
if [ "${KASAN:-0}" = 1 ]; then
	out=$out-kasan
	ours+=("$TOP/kernel/config/kasan.fragment")
fi
if [ "${BENCH:-0}" = 1 ]; then
	[ "${KASAN:-0}" != 1 ] || die "BENCH=1 and KASAN=1 do not go together: a benchmark kernel has no debugging"
	out=$out-bench
	ours+=("$TOP/kernel/config/bench.fragment")
fi
if [ "${MODULES:-0}" = 1 ]; then
	[ "${KASAN:-0}${BENCH:-0}" = 00 ] || die "MODULES=1 goes with neither KASAN=1 nor BENCH=1"
	out=$out-modules
	ours+=("$TOP"/kernel/config/{host,modules-vm,deb}.fragment)
fi
kconfig=${KCONFIG:-}
if [ -n "$kconfig" ]; then
	[ "$FLAVOUR" = patched ] || die "KCONFIG= builds the patched kernel only"
	[ "${MODULES:-0}${KASAN:-0}${BENCH:-0}" = 000 ] || die "KCONFIG= goes with none of MODULES=1, KASAN=1, BENCH=1"
	[ -f "$kconfig" ] || die "KCONFIG=$kconfig: no such file"
	kconfig=$(realpath "$kconfig")
	out=$BUILD/out/deb-host
	ours=("$TOP"/kernel/config/{host,deb}.fragment)
fi
fragments=("$src/kernel/configs/kvm_guest.config" "${ours[@]}")
mkdir -p "$out" "$BUILD/logs"
logf=$BUILD/logs/build-$(basename "$out").log

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache-phyr}
# Depend mode: no separate preprocessor pass on a miss (kbuild passes -MMD).
export CCACHE_DEPEND=1 CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Reproducible objects so ccache hits across trees and rebuilds.
KBUILD_BUILD_TIMESTAMP=$(base_version)
export KBUILD_BUILD_TIMESTAMP KBUILD_BUILD_USER=phyr KBUILD_BUILD_HOST=phyr
kmake() { make -C "$src" O="$out" CC="ccache gcc" -j"$(nproc)" "$@"; }

# (Re)configure when a fragment is newer than the config.
cfg_stamp=$out/.config.fragments
want=$(cat "${fragments[@]}" ${kconfig:+"$kconfig"} | sha256sum | awk '{print $1}')
if [ -n "$kconfig" ]; then
	if [ ! -f "$out/.config" ] || [ "$(cat "$cfg_stamp" 2>/dev/null)" != "$want" ]; then
		log "configuring $(basename "$out") from $kconfig"
		"$TOP/scripts/kconfig-merge.sh" "$kconfig" "$out" "${ours[@]}" >"$logf" 2>&1 ||
			{ grep '^error:' "$logf" >&2; die "KCONFIG=$kconfig cannot be made into a kernel for this series (log: $logf)"; }
		echo "$want" >"$cfg_stamp"
	fi
elif [ ! -f "$out/.config" ] || [ "$(cat "$cfg_stamp" 2>/dev/null)" != "$want" ]; then
	log "configuring $(basename "$out")"
	kmake x86_64_defconfig >"$logf" 2>&1
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}" >>"$logf" 2>&1
	kmake olddefconfig >>"$logf" 2>&1
	# Every option our fragments ask for must have survived olddefconfig.
	# The unpatched base lacks the options the series adds (its KUnit
	# suites): those are not asked of it, and the log says which.
	# A later fragment overrides an earlier one (bench.fragment, kasan).
	want_opts=$(cat "${ours[@]}" | sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)$/\1=\2/p;s/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1=n/p' |
		awk -F= '!($1 in v) { k[++n] = $1 } { v[$1] = $0 } END { for (i = 1; i <= n; i++) print v[k[i]] }')
	absent=()
	if [ "$FLAVOUR" = base ]; then
		while IFS="=" read -r k _; do
			grep -rqsx --include='Kconfig*' "\(menu\)\?config ${k#CONFIG_}" "$src" || absent+=("$k")
		done <<<"$want_opts"
		[ ${#absent[@]} -eq 0 ] ||
			log "not in the base kernel (options of the series), not required: ${absent[*]}"
	fi
	bad=$(while IFS="=" read -r k v; do
		[[ " ${absent[*]} " == *" $k "* ]] && continue
		got=$(sed -n "s/^$k=\(.*\)$/\1/p" "$out/.config")
		[ -n "$got" ] || got=n
		[ "$got" = "$v" ] || echo "$k=$v (got $got)"
	done <<<"$want_opts")
	[ -z "$bad" ] || die "config fragments not honoured (missing dependency?): $(echo "$bad" | tr '\n' ' ')"
	echo "$want" >"$cfg_stamp"
fi

log "building $(basename "$out") kernel from ${src#"$TOP"/} (log: ${logf#"$TOP"/})"
start=$SECONDS
# The compressed kernel is assembled from piggy.S, which pulls vmlinux in
# with .incbin.  ccache (depend mode) does not see that file: two kernels
# of the same size, e.g. differing only in the release string, get the
# same piggy.o, and the bzImage boots the older kernel.  Build it uncached.
piggy=$out/arch/x86/boot/compressed/piggy.o
rm -f "$piggy"
if ! kmake vmlinux modules >>"$logf" 2>&1 ||
	! CCACHE_DISABLE=1 kmake >>"$logf" 2>&1; then
	grep -E 'error:|Error [0-9]' "$logf" | head -20 >&2
	die "kernel build failed: see $logf"
fi
log "built $(cat "$out/include/config/kernel.release") in $((SECONDS - start)) s"
if [ "${DEB:-0}" = 1 ]; then
	# bindeb-pkg leaves the packages next to the output directory.
	start=$SECONDS
	rm -f "$BUILD"/out/linux-*.deb "$BUILD"/out/linux-upstream_*
	kmake bindeb-pkg >>"$logf" 2>&1 || die "make bindeb-pkg failed: see $logf"
	mkdir -p "$BUILD/deb"
	rm -f "$BUILD"/deb/linux-*.deb "$BUILD"/deb/linux-upstream_*
	mv "$BUILD"/out/linux-*.deb "$BUILD"/out/linux-upstream_* "$BUILD/deb/"
	log "packaged in $((SECONDS - start)) s: $(cd "$BUILD/deb" && echo linux-*.deb)"
fi
echo "$out"
