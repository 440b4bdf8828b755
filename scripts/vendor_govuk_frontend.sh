#!/usr/bin/env bash
# Copy the pinned govuk-frontend (package.json / package-lock.json) into static files: no CDN at run time.
# The copy is committed so `make demo` works without Node; `make assets` refreshes it after an upgrade.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --silent
src=node_modules/govuk-frontend/dist/govuk
dest=cme/core/static/govuk
rm -rf "$dest" && mkdir -p "$dest"
cp "$src/govuk-frontend.min.js" "$dest/"
cp -r "$src/assets" "$dest/assets"
# The CSS refers to /assets/...; make those references relative to the stylesheet.
sed 's#url(/assets/#url(assets/#g' "$src/govuk-frontend.min.css" > "$dest/govuk-frontend.min.css"
node -e 'console.log("govuk-frontend " + require("./node_modules/govuk-frontend/package.json").version)' > "$dest/VERSION"
echo "Vendored $(cat "$dest/VERSION") into $dest"
