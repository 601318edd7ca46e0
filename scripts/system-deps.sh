#!/usr/bin/env bash
# Debian packages the tests, PDFs and benchmarks need, installed through apt-get when missing.
#
#   chromium                    browser tests (Playwright drives /usr/bin/chromium)
#   postgresql                  the PostgreSQL run of the suite (a throw-away cluster; no server is started)
#   gettext                     msgfmt, for compiling and checking translations
#   poppler-utils               pdftotext, for checking generated PDFs
#   libpango/libharfbuzz/fonts  WeasyPrint's PDF rendering
#   wrk                         load benchmarks
#   xmlsec1                     SAML signatures (pysaml2 checks them with it, in the app and the tests)
#
# Quick and quiet when everything is present (dpkg is asked, apt is not). As root the missing
# packages are installed (`apt-get update` once first); otherwise it says what to install and
# exits 0, so a developer without root can still run what does not need them.
set -euo pipefail

PACKAGES=(
    chromium
    postgresql
    gettext
    poppler-utils
    libpango-1.0-0
    libpangoft2-1.0-0
    libharfbuzz-subset0
    fonts-dejavu-core
    wrk
    xmlsec1
)

installed() {
    # Any installed PostgreSQL server counts: the image may carry postgresql-15 without the
    # `postgresql` metapackage.
    if [[ $1 == postgresql ]] && compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        return 0
    fi
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

if ! command -v dpkg-query >/dev/null; then
    echo "system-deps: not a Debian/Ubuntu system; install by hand: ${PACKAGES[*]}" >&2
    exit 0
fi

missing=()
for package in "${PACKAGES[@]}"; do
    installed "$package" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
    echo "system-deps: all present (${PACKAGES[*]})"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    cat >&2 <<EOF
system-deps: missing Debian packages: ${missing[*]}
  Install them as root:  sudo apt-get install -y ${missing[*]}
  Without chromium the browser tests fail; set TILLIT_SKIP_BROWSER=1 to leave them out locally.
  Without postgresql the PostgreSQL run is skipped locally (it is required when CI=true).
EOF
    exit 0
fi

echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
start=$SECONDS
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "system-deps: installed ${missing[*]} in $((SECONDS - start)) s"
