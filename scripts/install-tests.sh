#!/bin/bash
# make install-tests [DESTDIR=...] [PREFIX=/usr/local]: the integration
# suite for a real host.  userspace-tests/ goes to PREFIX/share/phyr-rdma-tests
# (replacing an earlier copy), and the phyr-rdma-tests command to PREFIX/bin.
# The command checks the host before it runs the cases (see
# scripts/phyr-rdma-tests.sh).  DESTDIR is prepended to both, as for a
# package build.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

prefix=${PREFIX:-/usr/local}
[[ $prefix == /* ]] || die "PREFIX must be an absolute path, not '$prefix'"
dest=${DESTDIR:-}
[ -z "$dest" ] || [[ $dest == /* ]] || die "DESTDIR must be an absolute path, not '$dest'"
share=$dest$prefix/share/phyr-rdma-tests
bin=$dest$prefix/bin

rm -rf "$share"
install -d "$share" "$bin"
cp -R "$TOP/userspace-tests/." "$share/"
install -m 0755 "$TOP/scripts/phyr-rdma-tests.sh" "$bin/phyr-rdma-tests"
echo ">>> installed the suite in $share and phyr-rdma-tests in $bin"
