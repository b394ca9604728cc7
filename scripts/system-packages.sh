#!/usr/bin/env bash
# Installs the Debian packages Prevent Panel needs that are missing, and nothing when all are there.
#   scripts/system-packages.sh run    what serving needs: WeasyPrint's Pango, HarfBuzz subsetting, fonts
#   scripts/system-packages.sh test   the same, plus Chromium for the browser tests
# `make run` and `make test` call it, so both work on a fresh Debian machine; it asks for sudo only
# when something is missing and the user is not root.
set -euo pipefail

purpose="${1:-run}"
wanted=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "$purpose" = test ]; then
  wanted+=(chromium)
elif [ "$purpose" != run ]; then
  echo "usage: $0 run|test" >&2
  exit 2
fi

if ! command -v dpkg >/dev/null 2>&1; then
  echo "Not a Debian machine: install ${wanted[*]} (or your system's equivalents) yourself." >&2
  exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
  # `dpkg -s` also answers for packages that were removed but left their configuration behind.
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "Installing system packages: ${missing[*]}"
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
