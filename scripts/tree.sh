#!/bin/bash
# make tree: the base source plus kernel/series applied as git commits in
# build/linux.  The unpatched base is tag `base`.  Never destroys work: if
# build/linux holds edits or commits that are not the series, stop.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

L=$BUILD/linux
STATE=$L/.git/phyr-series	# "<series hash> <HEAD it produced>"

git_l() { git -C "$L" "$@"; }

apply_series() {
	local p out failing
	while read -r p; do
		[ -f "$TOP/kernel/$p" ] || die "kernel/series lists $p but kernel/$p does not exist"
		if ! out=$(git_l am -q --keep-cr "$TOP/kernel/$p" 2>&1); then
			failing=$(sed -n 's/^error: patch failed: \(.*\):[0-9]*$/\1/p;s/^error: \(.*\): does not exist in index$/\1/p' <<<"$out" | sort -u | tr '\n' ' ')
			git_l am --abort >/dev/null 2>&1 || true
			git_l reset -q --hard base
			echo "none $(git_l rev-parse HEAD)" >"$STATE"
			printf '%s\n' "$out" >&2
			die "patch kernel/$p does not apply to $(base_version); failing file(s): ${failing:-see above}"
		fi
	done < <(series_patches)
	echo "$(series_hash) $(git_l rev-parse HEAD)" >"$STATE"
	log "build/linux: base + $(series_patches | wc -l) patches"
}

create_tree() {
	local src
	src=$("$TOP/scripts/fetch-base.sh")
	log "creating build/linux from $src"
	rm -rf "$L.tmp"
	cp -a "$src" "$L.tmp"
	rm -f "$L.tmp/.unpacked"
	git -C "$L.tmp" init -q -b work
	git -C "$L.tmp" config user.name "$(git -C "$TOP" config user.name || echo phyr)"
	git -C "$L.tmp" config user.email "$(git -C "$TOP" config user.email || echo phyr@localhost)"
	git -C "$L.tmp" config core.abbrev 12
	git -C "$L.tmp" config gc.auto 0
	# Debian's top-level .gitignore ignores every top-level path ("/*"),
	# which would hide new files from `git add`: drop that rule.
	sed -i '/^\/\*$/d; /^!\/debian\/$/d' "$L.tmp/.gitignore"
	git -C "$L.tmp" add -A -f .
	git -C "$L.tmp" commit -q -m "base: $(base_pkg) $(base_version)" \
		-m "Debian's top-level '/*' .gitignore rule removed so that new files can be committed."
	git -C "$L.tmp" tag base
	mv "$L.tmp" "$L"
}

if [ ! -d "$L/.git" ]; then
	create_tree
	apply_series
	exit 0
fi

if [ -n "$(git_l status --porcelain --untracked-files=no)" ]; then
	git_l status --short --untracked-files=no | head -20 >&2
	die "build/linux has uncommitted changes: commit them there and run 'make export' (or discard them) before 'make tree'"
fi
read -r rec_hash rec_head <"$STATE" 2>/dev/null || { rec_hash=none; rec_head=none; }
head=$(git_l rev-parse HEAD)
if [ "$head" != "$rec_head" ]; then
	git_l log --oneline "${rec_head}..HEAD" 2>/dev/null | head -20 >&2 || true
	die "build/linux has commits that are not in kernel/series: run 'make export' and commit the patches (or reset build/linux to the series) before 'make tree'"
fi
if [ "$rec_hash" = "$(series_hash)" ]; then
	log "build/linux is up to date with kernel/series"
	exit 0
fi
log "kernel/series changed: re-applying it on base"
git_l checkout -q -B work base
apply_series
