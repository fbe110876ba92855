#!/bin/bash
# kconfig-merge.sh INPUT_CONFIG OUT_DIR [FRAGMENT...]: INPUT_CONFIG (e.g. a
# host's /boot/config-$(uname -r)) with the fragments merged on top by the
# kernel's own scripts/kconfig/merge_config.sh, completed with olddefconfig
# in build/linux, into OUT_DIR/.config.  Then every option of
# kernel/config/host.fragment must have come out as written (a module asked
# for may come out built in): otherwise the options that did not are named
# with what they came out as, and the exit status is 1.
# FRAGMENTs default to kernel/config/host.fragment.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: kconfig-merge.sh INPUT_CONFIG OUT_DIR [FRAGMENT...]"
in=$1 out=$2
shift 2
required=$TOP/kernel/config/host.fragment
frags=("$@")
[ ${#frags[@]} -gt 0 ] || frags=("$required")
[ -f "$in" ] || die "no kernel config at '$in'"
grep -q '^CONFIG_' "$in" || die "'$in' is not a kernel config (no CONFIG_ lines)"
for f in "${frags[@]}"; do
	[ -f "$f" ] || die "no config fragment at '$f'"
done
src=$BUILD/linux
[ -f "$src/scripts/kconfig/merge_config.sh" ] || "$TOP/scripts/tree.sh"

mkdir -p "$out"
out=$(cd "$out" && pwd)
cp "$in" "$out/.config"
# -m: merge only, then olddefconfig in the tree with O=, as kbuild would.
(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$out" "$out/.config" "${frags[@]}") \
	>"$out/merge.log" 2>&1 || { cat "$out/merge.log" >&2; die "merge_config.sh failed (log: $out/merge.log)"; }
make -s -C "$src" O="$out" olddefconfig >>"$out/merge.log" 2>&1 ||
	{ tail -20 "$out/merge.log" >&2; die "make olddefconfig failed (log: $out/merge.log)"; }

# "CONFIG_X=v" or "# CONFIG_X is not set" lines of the required fragment.
bad=0
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		opt=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		opt=${BASH_REMATCH[1]} want=n
	else
		continue
	fi
	got=$(sed -n "s/^$opt=//p" "$out/.config")
	[ -n "$got" ] || got=n
	[ "$got" = "$want" ] && continue
	[ "$want" = m ] && [ "$got" = y ] && continue
	bad=1
	if [ "$got" = n ]; then
		echo "error: $opt: ${required#"$TOP"/} asks for $want, the merged config has it not set: its dependencies are not met by $in" >&2
	else
		echo "error: $opt: ${required#"$TOP"/} asks for $want, the merged config has $got" >&2
	fi
done <"$required"
[ $bad = 0 ] || die "the merged config ($out/.config) lacks options a host needs (above)"
log "merged $in with ${frags[*]#"$TOP"/}: every option of ${required#"$TOP"/} is set ($out/.config)"
