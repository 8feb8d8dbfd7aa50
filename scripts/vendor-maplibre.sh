#!/bin/sh
# Vendors MapLibre GL JS into api/viewer/vendor (embedded in the binary, so
# the viewer works offline and needs no CDN). Fetches the npm tarball with
# `npm pack`, checks it against the pinned integrity hash, and extracts only
# the browser build, its stylesheet and the licence. Neither the tarball nor
# node_modules is left behind. Re-run after changing VERSION/INTEGRITY.
#
# MapLibre 6 ships only ES modules (there is no dist/maplibre-gl.js UMD
# build any more): maplibre-gl.mjs is the library, and it starts its web
# workers from maplibre-gl-worker.mjs found next to it (relative to
# import.meta.url), so both are vendored side by side. maplibre-gl-shared.mjs
# is empty in the package and not imported.
set -eu

VERSION=6.17.0
INTEGRITY='sha512-2chIZwpLGenoUQOcnm9Pk4SLbA8ppNFq8jlpXiq9vcYm3Y1wJ3fc82FL0GLwBaPYJCLzPv/mC46KEupVov75rQ=='

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/api/viewer/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "maplibre-gl@$VERSION" >/dev/null
tgz="maplibre-gl-$VERSION.tgz"
# Compute the integrity ourselves rather than trust npm's cache metadata.
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
	echo "vendor-maplibre: integrity mismatch for $tgz" >&2
	echo "  want $INTEGRITY" >&2
	echo "  got  $got" >&2
	exit 1
fi
files="dist/maplibre-gl.mjs dist/maplibre-gl-worker.mjs dist/maplibre-gl.css LICENSE.txt"
# shellcheck disable=SC2086 # word splitting of $files is intended
tar -xzf "$tgz" $(for f in $files; do printf 'package/%s ' "$f"; done)
mkdir -p "$dest"
for f in $files; do
	cp "package/$f" "$dest/"
done
# Files stay byte-identical to the package (the .map files they name are
# left out: browsers fetch source maps only with developer tools open).
printf 'maplibre-gl %s\nintegrity %s\nfiles %s\n' \
	"$VERSION" "$INTEGRITY" "$files" >"$dest/VERSION"
echo "vendored maplibre-gl@$VERSION into $dest"
ls -l "$dest"
