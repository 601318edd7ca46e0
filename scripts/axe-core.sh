#!/usr/bin/env bash
# Makes sure axe-core's axe.min.js (vendored in tests/vendor/) is the pinned version; if not,
# fetches it with npm from the npm registry. Does nothing when the pinned version is there.
set -euo pipefail

VERSION=4.14.1
cd "$(dirname "$0")/.."
target=tests/vendor/axe.min.js

if [[ -f $target ]] && head -c 40 "$target" | grep -q "axe v$VERSION"; then
    echo "axe-core: $VERSION present"
    exit 0
fi
if ! command -v npm >/dev/null; then
    echo "axe-core: npm is missing; install Node.js and npm, or put axe-core $VERSION's" \
        "axe.min.js in $target. Without it the browser tests fail." >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$VERSION" >/dev/null)
tar -xzf "$work/axe-core-$VERSION.tgz" -C "$work" package/axe.min.js
mkdir -p tests/vendor
mv "$work/package/axe.min.js" "$target"
echo "axe-core: fetched $VERSION into $target"
