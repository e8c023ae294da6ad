#!/usr/bin/env bash
# Starts a local libvirtd that runs QEMU domains as root without KVM, cgroups or namespaces, which is
# what a container or VM without nested virtualisation allows. Idempotent; needs root.
set -euo pipefail

if virsh -c qemu:///system version >/dev/null 2>&1; then
  exit 0
fi

getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
id libvirt-qemu >/dev/null 2>&1 || useradd -r -g libvirt-qemu -s /usr/sbin/nologin libvirt-qemu

mkdir -p /etc/libvirt
conf=/etc/libvirt/qemu.conf
set_option() {
  if grep -qsE "^#?\s*$1\s*=" "$conf"; then
    sed -i -E "s|^#?\s*$1\s*=.*|$1 = $2|" "$conf"
  else
    echo "$1 = $2" >>"$conf"
  fi
}
set_option user '"root"'
set_option group '"root"'
set_option security_driver '"none"'
set_option cgroup_controllers '[ ]'
set_option namespaces '[ ]'

mkdir -p /var/log/libvirt /var/run/libvirt
pgrep -x virtlogd >/dev/null || virtlogd -d
pgrep -x libvirtd >/dev/null || libvirtd -d

for _ in $(seq 1 50); do
  virsh -c qemu:///system version >/dev/null 2>&1 && exit 0
  sleep 0.2
done
echo "setup-libvirt: libvirtd did not answer on qemu:///system" >&2
exit 1
