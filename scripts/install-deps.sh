#!/usr/bin/env bash
# Installs the system libraries the package links (only those missing). Needs root or sudo on Debian/Ubuntu.
set -euo pipefail
# libsnappy-dev and liblz4-dev: Parquet's SNAPPY and LZ4 pages are decoded by our own Swift codecs
# (Sources/Curation/Parquet/Codecs), so nothing links them; issue 19 asks for them so that the system
# codecs are at hand to check ours against and for tools that write test files with them.
PKGS="libsqlite3-dev libzstd-dev libxxhash-dev libopenblas-dev zlib1g-dev pkg-config zstd time strace libsnappy-dev liblz4-dev"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing:$missing" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
