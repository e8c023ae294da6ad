#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing (idempotent, quick when
# everything is there). Needs root or sudo for apt-get.
set -euo pipefail

need=()
command -v redis-server >/dev/null || need+=(redis-server)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "setup-system: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
