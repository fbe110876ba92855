#!/bin/bash
# checkpatch.sh PATCH: scripts/checkpatch.pl --strict on one series patch;
# exit status 0 only when it reports nothing.  One exception: in the
# tracepoint headers (include/trace/events/), the TRACE_EVENT() layout the
# whole kernel uses (a line ending in "TP_STRUCT__entry(", arguments
# indented by one tab) trips OPEN_ENDED_LINE and PARENTHESIS_ALIGNMENT;
# those two are dropped there and nowhere else.  UNKNOWN_COMMIT_ID is not
# checked: build/linux is the base tarball in one commit, without upstream
# history to resolve a Fixes: tag in (the ids were looked up upstream).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	die "usage: $0 PATCH (a patch file)"
fi
# An absolute path: checkpatch takes "kernel/..." for a file of its tree.
patch=$(realpath "$1")
# checkpatch's spelling and SPDX helpers want the system python first.
out=$(env PATH="/usr/bin:$PATH" "$BUILD/linux/scripts/checkpatch.pl" --strict \
	--show-types --ignore FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID --no-summary "$patch" || true)
# Reports are blank-line separated blocks: "LEVEL:TYPE: text", then
# "#N: FILE: path:line:" and the offending lines.
left=$(awk -v RS= -v ORS='\n\n' '
	/^(CHECK|WARNING|ERROR):(OPEN_ENDED_LINE|PARENTHESIS_ALIGNMENT):/ &&
		/\n#[0-9]+: FILE: include\/trace\/events\// { next }
	/^(CHECK|WARNING|ERROR):/ { print }' <<<"$out")
if [ -n "$left" ]; then
	printf '%s\n' "$left"
	exit 1
fi
echo "$(basename "$patch"): clean"
