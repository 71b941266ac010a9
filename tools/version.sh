#!/bin/sh
# version.sh: prints iamlua's version, one line, for the Makefile,
# debian/rules and `make dist`.
#   1. a release tarball carries a VERSION file (written by `make dist`);
#   2. in git, a tag vX.Y.Z on HEAD gives X.Y.Z, and N commits after it
#      X.Y.Z+N.gHASH (".dirty" appended for uncommitted changes);
#   3. in git with no v* tag yet, BASE+gHASH[.dirty];
#   4. otherwise BASE.
# BASE is the next release; bump it together with debian/changelog and the
# rockspec when tagging.
BASE=0.1.0
cd "$(dirname "$0")/.." || exit 1
if [ -f VERSION ]; then
    head -n 1 VERSION
    exit 0
fi
d=$(git describe --tags --match 'v[0-9]*' --long --dirty 2>/dev/null)
if [ -n "$d" ]; then
    # v0.1.0-0-gabc1234[-dirty] -> 0.1.0 / 0.1.0+3.gabc1234[.dirty]
    echo "$d" | sed -e 's/^v//' -e 's/-dirty$/+dirty/' \
        -e 's/^\(.*\)-0-g[0-9a-f]*/\1/' \
        -e 's/^\(.*\)-\([0-9]*\)-\(g[0-9a-f]*\)/\1+\2.\3/' \
        -e 's/+\([^+]*\)+dirty$/+\1.dirty/'
    exit 0
fi
h=$(git rev-parse --short HEAD 2>/dev/null)
if [ -n "$h" ]; then
    if git diff-index --quiet HEAD -- 2>/dev/null; then
        echo "$BASE+g$h"
    else
        echo "$BASE+g$h.dirty"
    fi
    exit 0
fi
echo "$BASE"
