#!/usr/bin/env bash
# Installs the system libraries the package links (only those missing). Needs root or sudo on Debian/Ubuntu.
set -euo pipefail
PKGS="libsqlite3-dev libzstd-dev libxxhash-dev libopenblas-dev zlib1g-dev pkg-config zstd time strace"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing:$missing" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
