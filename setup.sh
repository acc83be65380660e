#!/bin/sh
# Set songngu up on Debian 12 (or Ubuntu), then build the sample article: ./setup.sh
#
# 1. the Debian packages WeasyPrint and the tests need (apt-get, only those missing; sudo
#    when not run as root);
# 2. a virtual environment in .venv (Debian's Python refuses `pip install` outside one, and
#    needs python3-venv to make one) with songngu and its test tools installed;
# 3. the independent checkers the tests run on the outputs (Java for the Nu Html Checker;
#    Node.js and npm for it, axe-core and pdf.js, installed from package.json by `npm ci`);
# 4. the sample build, through that environment: python build.py --lang vi.
#
# PYTHON=/path/to/python3 ./setup.sh picks the Python (default: python3 on PATH).
set -eu
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils qpdf gettext
chromium default-jre-headless fonts-noto-cjk"
# Node.js and npm from Debian unless the machine has its own.
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs npm"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    PACKAGES="$PACKAGES python3 python3-venv"
    PYTHON=/usr/bin/python3
elif ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
    # Debian's Python makes virtual environments only with python3-venv (it adds ensurepip).
    PACKAGES="$PACKAGES python3-venv"
fi

missing=""
for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $package"
done
if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    echo "setup: installing Debian packages:$missing"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
    # shellcheck disable=SC2086  # one word per package
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating the virtual environment .venv with $("$PYTHON" --version 2>&1)"
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# An editable install compiles nothing: the package's bytecode is compiled here once, as pip
# does for an installed package, so that no run of build.py compiles it again (where
# PYTHONDONTWRITEBYTECODE is set, as in many containers, every run would).
.venv/bin/python -m compileall -q songngu build.py

echo "setup: installing the checkers the tests use (npm ci: vnu-jar, axe-core, pdfjs-dist)"
npm ci --no-audit --no-fund --loglevel=error

echo "setup: done; building the sample: .venv/bin/python build.py --lang vi"
.venv/bin/python build.py --lang vi
