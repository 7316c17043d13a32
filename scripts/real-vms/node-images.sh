#!/usr/bin/env bash
# Builds, without any registry, the container images kubeadm 1.20.2 runs on a control plane and
# every node, as docker-archive tarballs that `ctr -n k8s.io images import` reads (the offline
# bundle's images/ folder):
#   k8s.gcr.io/kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy :v1.20.2
#       the binaries scripts/test-cluster/provision.sh builds from Debian's Kubernetes source
#       (static: CGO_ENABLED=0); kube-proxy's image adds Debian's iptables (nft) and conntrack with
#       their libraries, which kube-proxy runs in iptables mode
#   k8s.gcr.io/etcd:3.4.13-0
#       Debian's etcd-server binary (3.4.23, dynamically linked: glibc goes in with it)
#   k8s.gcr.io/pause:3.2, also tagged registry.k8s.io/pause:3.6 (containerd 1.6's sandbox_image)
#       build/pause/linux/pause.c of Debian's Kubernetes 1.20.2 source, compiled with gcc -static
#       as upstream's Makefile does (that tree's pause is upstream's 3.4; kubeadm 1.20 asks for 3.2)
#   localhost/busybox:1.35.0
#       a workload image for pods to run, log and exec in: Debian's busybox-static and its applets
#       (the "locally built image" a user would bring in a bundle; localhost/ as podman names them)
# CoreDNS (k8s.gcr.io/coredns:1.7.0) exists only in a registry: not built; its pods stay Pending.
# Beside them, cni-bin/: the bridge, host-local, loopback and portmap plugins of Debian's
# containernetworking-plugins package, for the bundle's cni/bin/ (containerd looks in /opt/cni/bin;
# Debian installs them in /usr/lib/cni).
#
# Cached in ${NESTLAB_CACHE_DIR:-$HOME/.cache/nestlab}/kubernetes-1.20.2/<IMAGES_NAME>/*.tar; the
# last line printed is that folder. Idempotent, a lock for concurrent runs. Needs the binaries of
# `provision.sh` and `provision.sh --node`, and root for apt-get (etcd-server, gcc, libc6-dev, the
# source package).
set -euo pipefail

# Bump when the recipe changes: a new name is a new cache entry.
readonly IMAGES_NAME=images-v3
readonly VERSION=1.20.2
readonly CACHE_DIR="${NESTLAB_CACHE_DIR:-$HOME/.cache/nestlab}"
readonly K8S_DIR="$CACHE_DIR/kubernetes-$VERSION"
readonly OUT="$K8S_DIR/$IMAGES_NAME"
readonly LOG="$K8S_DIR/$IMAGES_NAME.log"
readonly CONTROL_PLANE_BIN="$K8S_DIR/bin"
readonly NODE_BIN="$K8S_DIR/node-bin"

step_number=0
step() {
  step_number=$((step_number + 1))
  printf '[node-images %d] %s\n' "$step_number" "$*"
}

fail() {
  printf '[node-images] ERROR: %s\n' "$*" >&2
  exit 1
}

if [[ -f "$OUT/.complete" ]]; then
  step "node images ready"
  printf '%s\n' "$OUT"
  exit 0
fi

for binary in "$CONTROL_PLANE_BIN"/kube-{apiserver,controller-manager,scheduler} "$NODE_BIN/kube-proxy"; do
  [[ -x "$binary" ]] || fail "$binary is missing: run bash scripts/test-cluster/provision.sh and provision.sh --node first"
done

mkdir -p "$K8S_DIR"
exec 9>"$K8S_DIR/.$IMAGES_NAME.lock"
if ! flock -n 9; then
  step "another build holds the lock; waiting for it"
  flock 9
fi
if [[ -f "$OUT/.complete" ]]; then
  step "node images ready (built by the other run)"
  printf '%s\n' "$OUT"
  exit 0
fi

started_at=$SECONDS
: >"$LOG"
printf '[node-images] build log: %s\n' "$LOG"

readonly PACKAGES=(etcd-server gcc libc6-dev iptables conntrack dpkg-dev)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  [[ "$(id -u)" == 0 ]] || fail "installing ${missing[*]} needs root (apt-get)"
  step "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >>"$LOG" 2>&1 ||
    { tail -n 30 "$LOG" >&2; fail "apt-get install ${missing[*]} failed (log: $LOG)"; }
fi

work="$(mktemp -d "$K8S_DIR/.images-XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out"

# Copies an absolute path of this machine into a root file system at the same path: symbolic links
# on the way are kept as links (so ld.so and library SONAMEs resolve as on Debian), then the file.
copy_path() {
  local rootfs=$1 path=$2 target
  while [[ -L "$path" ]]; do
    mkdir -p "$rootfs$(dirname "$path")"
    cp -P "$path" "$rootfs$path"
    target="$(readlink "$path")"
    [[ "$target" == /* ]] || target="$(dirname "$path")/$target"
    path="$target"
  done
  mkdir -p "$rootfs$(dirname "$path")"
  cp -L "$path" "$rootfs$path"
}

# A dynamically linked program (or shared object) and every library ldd says it loads.
copy_with_libraries() {
  local rootfs=$1 path=$2 library
  copy_path "$rootfs" "$path"
  while read -r library; do
    [[ -n "$library" ]] && copy_path "$rootfs" "$library"
  done < <(ldd "$path" 2>/dev/null | grep -oE '/[^ ]+' || true)
}

# A Debian-style root (merged /usr): the loader finds /lib/x86_64-linux-gnu as on the guest.
new_rootfs() {
  local rootfs=$1
  mkdir -p "$rootfs"/usr/{bin,sbin,lib,lib64} "$rootfs"/{etc,tmp,var/run}
  ln -s usr/bin "$rootfs/bin"
  ln -s usr/sbin "$rootfs/sbin"
  ln -s usr/lib "$rootfs/lib"
  ln -s usr/lib64 "$rootfs/lib64"
  chmod 1777 "$rootfs/tmp"
}

# Writes a docker-archive (docker save's format: manifest.json, the config, one layer.tar) of a
# root file system: $1 = archive name, $2 = root, $3 = entrypoint (JSON array), then the tags.
write_image() {
  local name=$1 rootfs=$2 entrypoint=$3
  shift 3
  local image="$work/image-$name" layer_sha config config_sha tags
  mkdir -p "$image"
  tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$rootfs" -cf "$image/layer.tar" \
    $(cd "$rootfs" && ls -A)
  layer_sha="$(sha256sum "$image/layer.tar" | cut -d ' ' -f 1)"
  mkdir -p "$image/$layer_sha"
  mv "$image/layer.tar" "$image/$layer_sha/layer.tar"
  config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"1970-01-01T00:00:00Z\",\"config\":{\"Entrypoint\":$entrypoint,\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"WorkingDir\":\"/\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$layer_sha\"]},\"history\":[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"scripts/real-vms/node-images.sh (Nestlab real-VM tier)\"}]}"
  config_sha="$(printf '%s' "$config" | sha256sum | cut -d ' ' -f 1)"
  printf '%s' "$config" >"$image/$config_sha.json"
  tags="$(printf '"%s",' "$@")"
  printf '[{"Config":"%s.json","RepoTags":[%s],"Layers":["%s/layer.tar"]}]' "$config_sha" "${tags%,}" "$layer_sha" >"$image/manifest.json"
  tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$image" -cf "$work/out/$name.tar" manifest.json "$config_sha.json" "$layer_sha"
  rm -rf "$image" "$rootfs"
  step "$name: $* ($(du -h "$work/out/$name.tar" | cut -f1))"
}

step "control-plane images from the built binaries (static)"
for component in kube-apiserver kube-controller-manager kube-scheduler; do
  root="$work/root-$component"
  new_rootfs "$root"
  mkdir -p "$root/usr/local/bin"
  cp "$CONTROL_PLANE_BIN/$component" "$root/usr/local/bin/$component"
  write_image "$component" "$root" "[\"/usr/local/bin/$component\"]" "k8s.gcr.io/$component:v$VERSION"
done

step "kube-proxy with Debian's iptables (nft) and conntrack"
root="$work/root-kube-proxy"
new_rootfs "$root"
mkdir -p "$root/usr/local/bin"
cp "$NODE_BIN/kube-proxy" "$root/usr/local/bin/kube-proxy"
copy_with_libraries "$root" /usr/sbin/xtables-nft-multi
copy_with_libraries "$root" /usr/sbin/conntrack
for tool in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  ln -sf xtables-nft-multi "$root/usr/sbin/$tool"
done
for extension in /usr/lib/x86_64-linux-gnu/xtables/*.so; do copy_with_libraries "$root" "$extension"; done
cp /etc/protocols /etc/services "$root/etc/"
write_image kube-proxy "$root" '["/usr/local/bin/kube-proxy"]' "k8s.gcr.io/kube-proxy:v$VERSION"

step "etcd from Debian's etcd-server ($(dpkg-query -W -f '${Version}' etcd-server))"
root="$work/root-etcd"
new_rootfs "$root"
mkdir -p "$root/usr/local/bin" "$root/var/lib/etcd"
copy_with_libraries "$root" /usr/bin/etcd
ln -s /usr/bin/etcd "$root/usr/local/bin/etcd"
write_image etcd "$root" '["/usr/local/bin/etcd"]' 'k8s.gcr.io/etcd:3.4.13-0'

step "pause from Debian's Kubernetes $VERSION source (build/pause/linux/pause.c, gcc -static)"
(cd "$work" && apt-get source --download-only kubernetes >>"$LOG" 2>&1) ||
  { tail -n 30 "$LOG" >&2; fail "apt-get source --download-only kubernetes failed (log: $LOG); a deb-src entry is needed (provision.sh adds one)"; }
tar -xzf "$work"/kubernetes_*.orig.tar.gz -C "$work" --wildcards '*/build/pause/linux/pause.c' >>"$LOG" 2>&1 ||
  fail "the Kubernetes source package has no build/pause/linux/pause.c"
pause_c="$(find "$work" -path '*/build/pause/linux/pause.c' | head -n 1)"
root="$work/root-pause"
mkdir -p "$root"
gcc -Os -Wall -Werror -static -DVERSION=v3.4-debian-$VERSION -o "$root/pause" "$pause_c" >>"$LOG" 2>&1 ||
  { tail -n 30 "$LOG" >&2; fail "gcc -static pause.c failed (log: $LOG)"; }
strip "$root/pause"
rm -f "$work"/kubernetes_*
write_image pause "$root" '["/pause"]' 'k8s.gcr.io/pause:3.2' 'registry.k8s.io/pause:3.6'

step "busybox from Debian's busybox-static, a workload image"
(cd "$work" && apt-get download busybox-static >>"$LOG" 2>&1) ||
  { tail -n 30 "$LOG" >&2; fail "apt-get download busybox-static failed (log: $LOG)"; }
dpkg-deb -x "$work"/busybox-static_*.deb "$work/busybox"
root="$work/root-busybox"
new_rootfs "$root"
cp "$work/busybox/bin/busybox" "$root/usr/bin/busybox"
for applet in $("$root/usr/bin/busybox" --list); do
  [[ -e "$root/usr/bin/$applet" ]] || ln -s busybox "$root/usr/bin/$applet"
done
rm -rf "$work/busybox" "$work"/busybox-static_*.deb
write_image busybox "$root" '["/usr/bin/sh"]' 'localhost/busybox:1.35.0'

step "CNI plugins from Debian's containernetworking-plugins"
(cd "$work" && apt-get download containernetworking-plugins >>"$LOG" 2>&1) ||
  { tail -n 30 "$LOG" >&2; fail "apt-get download containernetworking-plugins failed (log: $LOG)"; }
dpkg-deb -x "$work"/containernetworking-plugins_*.deb "$work/plugins"
mkdir -p "$work/out/cni-bin"
for plugin in bridge host-local loopback portmap; do
  cp "$work/plugins/usr/lib/cni/$plugin" "$work/out/cni-bin/$plugin" ||
    fail "Debian's containernetworking-plugins has no /usr/lib/cni/$plugin"
done

rm -rf "$OUT"
mv "$work/out" "$OUT"
touch "$OUT/.complete"
step "node images ready after $((SECONDS - started_at))s ($(du -sh "$OUT" | cut -f1))"
printf '%s\n' "$OUT"
