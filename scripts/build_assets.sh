#!/usr/bin/env bash
# Builds the GOV.UK Frontend CSS, JS and images into static/build/ (git-ignored).
# Needs Node.js and npm; everything comes from the npm registry (no CDN).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "error: Node.js and npm are needed to build the front-end (GOV.UK Frontend)." >&2
  echo "       On Debian: sudo apt-get install nodejs npm" >&2
  exit 1
fi

if [ ! -d node_modules/govuk-frontend ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --ignore-scripts
fi

out=static/build
rm -rf "$out"
mkdir -p "$out/css" "$out/govuk"
cp -R node_modules/govuk-frontend/dist/govuk/assets "$out/govuk/assets"
rm -rf "$out/govuk/assets/fonts"   # Arial only: GDS Transport is for gov.uk
# One module that starts every component, so no inline script is needed
# (Content-Security-Policy). The source-map line is dropped: we ship no maps.
sed 's#//\# sourceMappingURL=[^ ]*##' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js \
  > "$out/govuk/govuk-frontend.min.js"
printf '\ninitAll();\n' >> "$out/govuk/govuk-frontend.min.js"
rm -f "$out/govuk/assets/images/"govuk-crest* "$out/govuk/assets/images/"favicon* \
  "$out/govuk/assets/images/"govuk-icon* "$out/govuk/assets/images/"govuk-opengraph*
# The compiled CSS still names the crest (for GOV.UK's own footer); a council
# shows no crown, so that name points at an empty image. Hashed static file
# storage needs every referenced file to exist.
printf '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n' \
  > "$out/govuk/assets/images/govuk-crest.svg"
npx --no-install sass --no-source-map --style=compressed --quiet-deps --load-path=. \
  assets/scss/app.scss "$out/css/app.css"
echo "front-end built into $out"
