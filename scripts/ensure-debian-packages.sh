#!/usr/bin/env bash
# Install the given Debian packages if (and only if) they are missing.
#
# Usage: scripts/ensure-debian-packages.sh PACKAGE [PACKAGE...]
#
# Quiet when everything is already installed. Runs `apt-get update` once, and
# only when something has to be installed. Uses sudo when not running as root.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 PACKAGE [PACKAGE...]" >&2
    exit 2
fi

missing=()
for pkg in "$@"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "error: missing Debian packages: ${missing[*]}" >&2
    echo "Not running as root and sudo is not available; install them as root with:" >&2
    echo "    apt-get install ${missing[*]}" >&2
    exit 1
fi

echo "Installing missing Debian packages: ${missing[*]}" >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
