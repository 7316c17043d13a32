#!/usr/bin/env bash
# Builds the real-VM tier's guest image: Debian 12 (bookworm) as a cloud image is built, from
# Debian's packages only (no internet beyond Debian's archive): a disk with an MBR partition
# table, one ext4 root partition and a bootloader (extlinux), so the libvirt driver boots it the way
# it boots a user's cloud image (virt-install --import of a qcow2 overlay on this base). Inside:
# the cloud kernel, cloud-init (NoCloud), OpenSSH, containerd, runc and the CNI plugins, plus what
# kubeadm's preflight checks for (iptables, conntrack, socat, ebtables, ethtool).
#
# The image is cached: ${NESTLAB_CACHE_DIR:-$HOME/.cache/nestlab}/guest-image/<name>.qcow2, and
# this script prints its path on the last line. Idempotent and safe to run concurrently (a lock).
# Needs root (mmdebstrap as root, a loop device to install the bootloader) and Debian's apt.
set -euo pipefail

# Bump when the recipe changes: a new name is a new cache entry.
readonly IMAGE_NAME=debian-12-nestlab-v3
readonly CACHE_DIR="${NESTLAB_CACHE_DIR:-$HOME/.cache/nestlab}"
readonly IMAGE_DIR="$CACHE_DIR/guest-image"
readonly IMAGE="$IMAGE_DIR/$IMAGE_NAME.qcow2"
readonly LOG="$IMAGE_DIR/build.log"
readonly ROOT_SIZE=8G
readonly BUILD_PACKAGES=(mmdebstrap extlinux syslinux-common e2fsprogs fdisk qemu-utils)
readonly GUEST_PACKAGES=(
  linux-image-cloud-amd64 systemd-sysv udev kmod openssh-server cloud-init sudo locales
  ifupdown isc-dhcp-client iproute2 ca-certificates
  containerd runc containernetworking-plugins
  iptables conntrack socat ebtables ethtool
)

step_number=0
step() {
  step_number=$((step_number + 1))
  printf '[guest-image %d] %s\n' "$step_number" "$*"
}

fail() {
  printf '[guest-image] ERROR: %s\n' "$*" >&2
  exit 1
}

if [[ -f "$IMAGE" ]]; then
  step "guest image ready"
  printf '%s\n' "$IMAGE"
  exit 0
fi

[[ "$(id -u)" == 0 ]] || fail "building the guest image needs root (mmdebstrap and a loop device); run as root, or copy a built $IMAGE_NAME.qcow2 to $IMAGE_DIR"
command -v apt-get >/dev/null 2>&1 || fail "building the guest image needs Debian's apt-get"

mkdir -p "$IMAGE_DIR"
exec 9>"$IMAGE_DIR/.lock"
if ! flock -n 9; then
  step "another build holds $IMAGE_DIR/.lock; waiting for it"
  flock 9
fi
if [[ -f "$IMAGE" ]]; then
  step "guest image ready (built by the other run)"
  printf '%s\n' "$IMAGE"
  exit 0
fi

started_at=$SECONDS
: >"$LOG"
printf '[guest-image] build log: %s\n' "$LOG"

# The machine's own Debian mirror (the only archive this machine reaches).
mirror_uri() {
  local uri=''
  if [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
    uri="$(sed -nE 's/^URIs:[[:space:]]*([^[:space:]]+).*/\1/p' /etc/apt/sources.list.d/debian.sources | head -n 1)"
  fi
  if [[ -z "$uri" && -r /etc/apt/sources.list ]]; then
    uri="$(sed -nE 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+bookworm[[:space:]].*/\2/p' /etc/apt/sources.list | head -n 1)"
  fi
  [[ -n "$uri" ]] || fail "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
  printf '%s\n' "$uri"
}

step "installing ${BUILD_PACKAGES[*]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${BUILD_PACKAGES[@]}" >>"$LOG" 2>&1 ||
  { tail -n 30 "$LOG" >&2; fail "apt-get install ${BUILD_PACKAGES[*]} failed (log: $LOG)"; }

work="$(mktemp -d "$IMAGE_DIR/.build-XXXXXX")"
loop=''
mnt="$work/mnt"
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then umount "$mnt" || true; fi
  if [[ -n "$loop" ]]; then losetup -d "$loop" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

root="$work/root"
mirror="$(mirror_uri)"
step "mmdebstrap bookworm from $mirror (about 2-3 minutes)"
packages="$(IFS=,; printf '%s' "${GUEST_PACKAGES[*]}")"
mmdebstrap --variant=important --include="$packages" \
  --customize-hook='rm -f "$1/etc/ssh/ssh_host_"*' \
  bookworm "$root" "deb $mirror bookworm main" >>"$LOG" 2>&1 ||
  { tail -n 30 "$LOG" >&2; fail "mmdebstrap failed (log: $LOG)"; }

step "configuring the image (fstab, machine-id, cloud-init datasource, bootloader config)"
printf '/dev/vda1 / ext4 defaults,errors=remount-ro 0 1\n' >"$root/etc/fstab"
# Every VM gets its own machine-id (and DHCP identity) on first boot.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
printf 'localhost\n' >"$root/etc/hostname"
# The locale cloud-init sets (en_US.UTF-8) is generated and already the default, as on a
# distribution's cloud image; otherwise its locale module fails (update-locale exits 255).
sed -i -E 's/^# *(en_US\.UTF-8 UTF-8)/\1/' "$root/etc/locale.gen"
chroot "$root" locale-gen >>"$LOG" 2>&1 || { tail -n 30 "$LOG" >&2; fail "locale-gen in the image failed (log: $LOG)"; }
printf 'LANG=en_US.UTF-8\n' >"$root/etc/default/locale"
# Only the NoCloud seed exists here: no time lost probing cloud metadata services.
printf 'datasource_list: [ NoCloud, None ]\n' >"$root/etc/cloud/cloud.cfg.d/90-nestlab.cfg"
printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' >"$root/etc/network/interfaces"
kernel="$(cd "$root/boot" && ls vmlinuz-* | sort -V | tail -n 1)"
initrd="$(cd "$root/boot" && ls initrd.img-* | sort -V | tail -n 1)"
[[ -n "$kernel" && -n "$initrd" ]] || fail "the image has no kernel or initrd under /boot"
mkdir -p "$root/boot/extlinux"
cat >"$root/boot/extlinux/extlinux.conf" <<EOF
DEFAULT debian
TIMEOUT 0
PROMPT 0
LABEL debian
  LINUX /boot/$kernel
  INITRD /boot/$initrd
  APPEND root=/dev/vda1 ro console=ttyS0 net.ifnames=0
EOF

step "writing the root file system ($ROOT_SIZE, sparse) and the partition table"
# extlinux reads ext4 without the 64bit feature (a root of this size does not need it).
mkfs.ext4 -q -F -O ^64bit -L nestlab-root -d "$root" "$work/root.img" "$ROOT_SIZE" >>"$LOG" 2>&1 ||
  { tail -n 30 "$LOG" >&2; fail "mkfs.ext4 failed (log: $LOG)"; }
rm -rf "$root"
root_bytes="$(stat -c %s "$work/root.img")"
truncate -s $((root_bytes + 1048576)) "$work/disk.raw"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$work/disk.raw" >>"$LOG" 2>&1 ||
  { tail -n 30 "$LOG" >&2; fail "sfdisk failed (log: $LOG)"; }
dd if="$work/root.img" of="$work/disk.raw" bs=1M seek=1 conv=notrunc,sparse status=none
rm -f "$work/root.img"

step "installing extlinux into the root partition and the MBR"
loop="$(losetup --find --show --offset 1048576 --sizelimit "$root_bytes" "$work/disk.raw")" ||
  fail "no loop device (losetup --find failed): the bootloader needs one; run as root on a machine with loop devices"
mkdir -p "$mnt"
mount "$loop" "$mnt"
extlinux --install "$mnt/boot/extlinux" >>"$LOG" 2>&1 || { tail -n 30 "$LOG" >&2; fail "extlinux --install failed (log: $LOG)"; }
umount "$mnt"
losetup -d "$loop"
loop=''
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$work/disk.raw" bs=440 count=1 conv=notrunc status=none

step "converting to qcow2"
qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$work/image.qcow2" >>"$LOG" 2>&1 ||
  { tail -n 30 "$LOG" >&2; fail "qemu-img convert failed (log: $LOG)"; }
mv -f "$work/image.qcow2" "$IMAGE"
step "guest image ready after $((SECONDS - started_at))s ($(du -h "$IMAGE" | cut -f1))"
printf '%s\n' "$IMAGE"
