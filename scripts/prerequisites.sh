#!/usr/bin/env bash
# Makes sure the machine has what `make run` / `make test` need beyond Python.
#
#   scripts/prerequisites.sh run    Node.js and npm (to build GOV.UK Frontend),
#                                   gettext (to compile translations),
#                                   and Pango with a font for WeasyPrint (PDF letters)
#   scripts/prerequisites.sh test   the same, plus Debian's Chromium for the
#                                   browser tests (Playwright never downloads one)
#
# Run as root on Debian, it installs what is missing with apt-get. Anywhere
# else it stops at once and prints the one command that would install it, so a
# newcomer never meets a half-run test suite.
set -euo pipefail

purpose="${1:-run}"
missing=()

# python3 -m venv needs Debian's python3-venv (ensurepip) on a bare machine.
python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=(python3-venv)
fi
command -v node >/dev/null 2>&1 || missing+=(nodejs)
# WeasyPrint (PDF letters) loads Pango, HarfBuzz and fontconfig at run time;
# Liberation Sans stands in for Arial, which Debian does not ship.
if command -v dpkg-query >/dev/null 2>&1; then
  for package in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
fi
command -v npm >/dev/null 2>&1 || missing+=(npm)
# msgfmt compiles the adult's page translations (locale/*/LC_MESSAGES/*.po).
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
if [ "$purpose" = "test" ] && [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  missing+=(chromium)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

command_line="apt-get install -y ${missing[*]}"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing missing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  exit 0
fi

echo "error: this machine is missing: ${missing[*]}" >&2
if command -v apt-get >/dev/null 2>&1; then
  echo "       Install it with:  sudo $command_line" >&2
else
  echo "       Install the equivalent packages with your system's package manager" >&2
  echo "       (on Debian: sudo $command_line)." >&2
fi
exit 1
