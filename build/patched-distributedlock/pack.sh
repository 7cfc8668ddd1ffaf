#!/usr/bin/env bash
# Rebuilds build/local-packages/patched.distributedlock.postgres.1.3.3.nupkg from the nuspec.
# A .nupkg is a zip with the .nuspec at its root; nothing else is needed for a dependency-only package.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../local-packages/patched.distributedlock.postgres.1.3.3.nupkg"
rm -f "$out"
(cd "$here" && python3 -c "
import zipfile,sys
with zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED) as z: z.write('Patched.DistributedLock.Postgres.nuspec')
" "$out")
echo "wrote $out"
