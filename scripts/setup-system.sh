#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing, then makes sure a local
# libvirtd is running (idempotent, quick when everything is there). Needs root or sudo for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

need=()
command -v redis-server >/dev/null || need+=(redis-server)
# libvirt/KVM driver tests run real domains under QEMU software emulation.
command -v virsh >/dev/null || need+=(libvirt-clients)
command -v libvirtd >/dev/null || need+=(libvirt-daemon libvirt-daemon-driver-qemu)
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
# The libvirt driver's qcow2 volumes (its default volumeFormat) are made with qemu-img.
command -v qemu-img >/dev/null || need+=(qemu-utils)
# Server-room PDF reports embed a CJK font; tests read the PDF back with pdftotext.
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null || need+=(poppler-utils)
# Console tests drive Debian's Chromium through playwright-core (no browser download).
command -v chromium >/dev/null || need+=(chromium chromium-driver)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup-system: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

virsh -c qemu:///system version >/dev/null 2>&1 || $SUDO scripts/setup-libvirt.sh
