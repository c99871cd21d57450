#!/bin/bash
# Installs what building, running and testing need, and only what is missing:
# Debian packages (apt-get; sudo when not root) and a Python virtualenv in .venv for the e2e tests.
# Fast when everything is present: one dpkg query and one file-date check.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libhiredis-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev redis-server nginx
          chromium chromium-driver wrk docker-compose python3-venv python3-aiosmtpd curl gettext-base nodejs)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}"
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || { echo "deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
        sudo=sudo
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v swift >/dev/null || { echo "deps: swift not found on PATH (install a Swift 6 toolchain)" >&2; exit 1; }

# Python tools for the e2e suite, in .venv (re-installed when e2e/requirements.txt changes).
stamp=.venv/.requirements-installed
if [ ! -x .venv/bin/python ]; then
    echo "deps: creating .venv"
    python3 -m venv .venv
fi
if [ ! -f "$stamp" ] || [ e2e/requirements.txt -nt "$stamp" ]; then
    echo "deps: installing e2e/requirements.txt into .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check -r e2e/requirements.txt
    touch "$stamp"
fi
