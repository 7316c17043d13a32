#!/usr/bin/env bash
# Runs a command with /dev/kvm added to, or hidden from, this machine's view, in a private mount
# namespace (nothing outside sees it). For proving the test suite does not depend on the machine:
#   sudo bash scripts/machine-view.sh --with-kvm -- npm test
#   sudo bash scripts/machine-view.sh --without-kvm -- npm test
# The added /dev/kvm is a device node 10:232 with no KVM behind it, like the node a container
# without the kvm module can have. Needs root (unshare, mount, mknod).
set -euo pipefail

usage() {
  echo "usage: $0 --with-kvm|--without-kvm -- command [args...]" >&2
  exit 2
}
[[ $# -ge 3 && "$2" == "--" ]] || usage
mode=$1
shift 2
case "$mode" in
  --with-kvm | --without-kvm) ;;
  *) usage ;;
esac
[[ $(id -u) -eq 0 ]] || {
  echo "$0 needs root (a mount namespace and a device node): run it with sudo" >&2
  exit 1
}

staging=$(mktemp -d /tmp/nestlab-machine-view-XXXXXX)
trap 'rmdir "$staging" 2>/dev/null || true' EXIT
# In the new namespace: a /dev that copies every entry of the machine's (device nodes bound, so
# they are the same devices), keeps /dev/pts and /dev/shm, and adds or leaves out kvm.
unshare --mount --propagation private -- bash -euo pipefail -c '
  staging=$1 mode=$2
  shift 2
  mount -t tmpfs -o mode=755 nestlab-machine-view "$staging"
  for entry in /dev/* /dev/.[!.]*; do
    [[ -e "$entry" || -L "$entry" ]] || continue
    name=${entry#/dev/}
    [[ "$name" == kvm ]] && continue
    # A bound ptmx node does not find its devpts from the new /dev; the pts one does.
    if [[ "$name" == ptmx ]]; then ln -s pts/ptmx "$staging/ptmx"; continue; fi
    if [[ -L "$entry" ]]; then cp -P "$entry" "$staging/$name"
    elif [[ -d "$entry" ]]; then mkdir "$staging/$name"; mount --rbind "$entry" "$staging/$name"
    else touch "$staging/$name"; mount --bind "$entry" "$staging/$name"; fi
  done
  if [[ "$mode" == --with-kvm ]]; then mknod -m 660 "$staging/kvm" c 10 232; fi
  mount --move "$staging" /dev
  echo "[machine-view] /dev/kvm: $( [[ -c /dev/kvm ]] && echo "a device node (added)" || echo "absent (hidden)" )" >&2
  exec "$@"
' machine-view "$staging" "$mode" "$@"
