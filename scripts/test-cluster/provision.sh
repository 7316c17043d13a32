#!/usr/bin/env bash
# Provisions the Kubernetes 1.20 control-plane binaries that the test harness runs
# (kube-apiserver, kube-controller-manager, kube-scheduler, plus etcd and kubectl).
# `provision.sh --node` provisions the node binaries instead (kubelet, kubeadm, kube-proxy, kubectl into
# the cache's node-bin folder), which the real-VM tier installs into its guests through an offline
# bundle; they are built from the same source.
#
# Order of preference:
#   1. NESTLAB_K8S_BIN_DIR (a folder holding the three kube-* binaries),
#   2. the cache: ${NESTLAB_CACHE_DIR:-$HOME/.cache/nestlab}/kubernetes-1.20.2/bin,
#   3. the binaries on PATH,
#   4. otherwise build them from Debian's own `kubernetes` source package (needs Debian, apt and
#      root) and put them in the cache. See ../../docs/HARNESS.md and ENVIRONMENT.md for why we build
#      from source: no container runtime, no internet except Debian's archive and npm.
#
# Idempotent: with binaries present it returns in milliseconds. Safe to run concurrently (the
# build path holds a lock). Prints numbered progress lines; on a build failure prints the tail of
# the build log.
set -euo pipefail

readonly K8S_VERSION=1.20.2
readonly CACHE_DIR="${NESTLAB_CACHE_DIR:-$HOME/.cache/nestlab}"
readonly K8S_DIR="$CACHE_DIR/kubernetes-$K8S_VERSION"
readonly CACHE_BIN="$K8S_DIR/bin"
readonly BUILD_DIR="$K8S_DIR/build"
readonly CONTROL_PLANE_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler)
readonly NODE_BIN="$K8S_DIR/node-bin"
readonly NODE_BINARIES=(kubelet kubeadm kube-proxy kubectl)
mode=control-plane
case "${1:-}" in
  '') ;;
  --node) mode=node ;;
  *)
    printf 'usage: %s [--node]\n' "$0" >&2
    exit 2
    ;;
esac
LOG="$K8S_DIR/build.log"
[[ $mode == node ]] && LOG="$K8S_DIR/build-node.log"
readonly LOG
readonly APT_PACKAGES=(golang-go rsync jq etcd-server golang-github-modern-go-reflect2-dev dpkg-dev make)

step_number=0
step() {
  step_number=$((step_number + 1))
  printf '[provision %d] %s\n' "$step_number" "$*"
}

fail() {
  printf '[provision] ERROR: %s\n' "$*" >&2
  exit 1
}

# Prints the folder holding all three control-plane binaries, or nothing.
find_bin_dir() {
  local dir candidate
  for dir in "${NESTLAB_K8S_BIN_DIR:-}" "$CACHE_BIN"; do
    [[ -n "$dir" ]] || continue
    if has_all_binaries "$dir"; then
      printf '%s\n' "$dir"
      return
    fi
  done
  candidate="$(command -v kube-apiserver 2>/dev/null || true)"
  if [[ -n "$candidate" ]] && has_all_binaries "$(dirname "$candidate")"; then
    dirname "$candidate"
  fi
}

has_all_binaries() {
  local name
  for name in "${CONTROL_PLANE_BINARIES[@]}"; do
    [[ -x "$1/$name" ]] || return 1
  done
}

find_etcd() {
  if [[ -n "${NESTLAB_ETCD_BIN:-}" && -x "${NESTLAB_ETCD_BIN}" ]]; then
    printf '%s\n' "$NESTLAB_ETCD_BIN"
  elif [[ -x /usr/bin/etcd ]]; then
    printf '/usr/bin/etcd\n'
  else
    command -v etcd 2>/dev/null || true
  fi
}

find_kubectl() {
  if [[ -x /usr/bin/kubectl ]]; then
    printf '/usr/bin/kubectl\n'
  elif [[ -x "$CACHE_BIN/kubectl" ]]; then
    printf '%s\n' "$CACHE_BIN/kubectl"
  else
    command -v kubectl 2>/dev/null || true
  fi
}

require_debian_root() {
  local what="$1"
  if [[ ! -r /etc/debian_version ]] || ! command -v apt-get >/dev/null 2>&1; then
    fail "$what needs Debian (apt-get and Debian's source archive); this machine is not Debian.
Provide the binaries instead: set NESTLAB_K8S_BIN_DIR to a folder holding ${CONTROL_PLANE_BINARIES[*]}
(Kubernetes $K8S_VERSION), or copy them to $CACHE_BIN, and install etcd on PATH."
  fi
  if [[ "$(id -u)" != 0 ]]; then
    fail "$what needs root to apt-get install build dependencies; run as root or provide binaries in
$CACHE_BIN (or set NESTLAB_K8S_BIN_DIR), and etcd at /usr/bin/etcd."
  fi
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$LOG" 2>&1 ||
    { tail -n 30 "$LOG" >&2; fail "apt-get install $* failed (log: $LOG)"; }
}

# Node binaries that are not in the cache yet, as make targets.
missing_node_targets() {
  local name
  for name in "${NODE_BINARIES[@]}"; do
    [[ -x "$NODE_BIN/$name" ]] || printf 'cmd/%s\n' "$name"
  done
}

# --- fast path ---------------------------------------------------------------------------------
if [[ $mode == node && -z "$(missing_node_targets)" ]]; then
  step "node binaries ready in $NODE_BIN"
  exit 0
fi
bin_dir="$(find_bin_dir)"
etcd_bin="$(find_etcd)"
kubectl_bin="$(find_kubectl)"
if [[ $mode == control-plane && -n "$bin_dir" && -n "$etcd_bin" && -n "$kubectl_bin" ]]; then
  step "control-plane binaries ready in $bin_dir (etcd: $etcd_bin, kubectl: $kubectl_bin)"
  exit 0
fi

mkdir -p "$K8S_DIR"

# Binaries are there but etcd is not (e.g. a restored cache): install only etcd.
if [[ $mode == control-plane && -n "$bin_dir" && -z "$etcd_bin" ]]; then
  require_debian_root "Installing etcd"
  step "installing etcd-server from Debian's archive"
  apt_install etcd-server
  etcd_bin="$(find_etcd)"
  [[ -n "$etcd_bin" ]] || fail "etcd-server installed but no etcd binary found"
  if [[ -n "$kubectl_bin" ]]; then
    step "control-plane binaries ready in $bin_dir (etcd: $etcd_bin, kubectl: $kubectl_bin)"
    exit 0
  fi
fi

# --- build path --------------------------------------------------------------------------------
require_debian_root "Building Kubernetes $K8S_VERSION from Debian's source package"

# One build at a time; a second caller waits, then finds the binaries in the cache.
exec 9>"$K8S_DIR/.lock"
if ! flock -n 9; then
  step "another provision run holds $K8S_DIR/.lock; waiting for it"
  flock 9
fi
bin_dir="$(find_bin_dir)"
if [[ $mode == control-plane && -n "$bin_dir" && -n "$(find_etcd)" && -n "$(find_kubectl)" ]]; then
  step "control-plane binaries ready in $bin_dir (built by the other run)"
  exit 0
fi
if [[ $mode == node && -z "$(missing_node_targets)" ]]; then
  step "node binaries ready in $NODE_BIN (built by the other run)"
  exit 0
fi

started_at=$SECONDS
: >"$LOG"
printf '[provision] build log: %s\n' "$LOG"

step "adding a deb-src entry for Debian's archive (needed by apt-get source)"
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  if [[ -r /etc/apt/sources.list.d/debian.sources ]]; then
    sed -E 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      >/etc/apt/sources.list.d/nestlab-deb-src.sources
  elif [[ -r /etc/apt/sources.list ]]; then
    sed -nE 's/^deb (.*)$/deb-src \1/p' /etc/apt/sources.list >/etc/apt/sources.list.d/nestlab-deb-src.list
  else
    fail "no Debian apt sources found to derive a deb-src entry from"
  fi
fi
apt-get update >>"$LOG" 2>&1 || { tail -n 30 "$LOG" >&2; fail "apt-get update failed (log: $LOG)"; }

step "installing build dependencies: ${APT_PACKAGES[*]}"
apt_install "${APT_PACKAGES[@]}"

step "fetching Debian's kubernetes source package into $BUILD_DIR"
mkdir -p "$BUILD_DIR"
src_dir="$(find "$BUILD_DIR" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' -print -quit)"
if [[ -z "$src_dir" || ! -f "$src_dir/.nestlab-extracted" ]]; then
  rm -rf "${BUILD_DIR:?}"/*
  # bookworm's package is versioned 1.20.5+really1.20.2: the 1.20.2 sources under a newer number.
  (cd "$BUILD_DIR" && apt-get source kubernetes >>"$LOG" 2>&1) ||
    { tail -n 30 "$LOG" >&2; fail "apt-get source kubernetes failed (log: $LOG)"; }
  src_dir="$(find "$BUILD_DIR" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' -print -quit)"
  [[ -n "$src_dir" ]] || fail "apt-get source produced no kubernetes-* folder in $BUILD_DIR"
  touch "$src_dir/.nestlab-extracted"
fi

step "replacing vendored modern-go/reflect2 1.0.1 with Debian's 1.0.2 (Go >= 1.18 map-iteration crash)"
# reflect2 1.0.1 reads Go runtime internals that changed in Go 1.18: kube-apiserver segfaults
# iterating maps. Upstream fix: https://github.com/modern-go/reflect2/pull/26 (released as 1.0.2).
readonly REFLECT2_SRC=/usr/share/gocode/src/github.com/modern-go/reflect2
[[ -d "$REFLECT2_SRC" ]] || fail "$REFLECT2_SRC missing (package golang-github-modern-go-reflect2-dev)"
rm -rf "$src_dir/vendor/github.com/modern-go/reflect2"
cp -r "$REFLECT2_SRC" "$src_dir/vendor/github.com/modern-go/reflect2"
rm -f "$src_dir/vendor/github.com/modern-go/reflect2/go.mod" "$src_dir/vendor/github.com/modern-go/reflect2/go.sum"

# Only what is missing: a machine with cached binaries but no kubectl builds kubectl alone.
targets=()
if [[ $mode == node ]]; then
  mapfile -t targets < <(missing_node_targets)
else
  [[ -n "$(find_bin_dir)" ]] || targets+=(cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler)
  [[ -n "$(find_kubectl)" ]] || targets+=(cmd/kubectl)
fi
step "building ${targets[*]} with $(go version | cut -d' ' -f3) (takes 4-6 minutes on 2 cores)"
# Kubernetes 1.20 builds in GOPATH mode: the tree must be reachable as $GOPATH/src/k8s.io/kubernetes.
mkdir -p "$src_dir/.go/src/k8s.io"
ln -sfn "$src_dir" "$src_dir/.go/src/k8s.io/kubernetes"
(
  # Report progress while make runs so a CI log shows the build is alive.
  while sleep 30; do
    printf '[provision]   ... still building (%ds): %s\n' "$((SECONDS - started_at))" \
      "$(tail -n 1 "$LOG" | cut -c1-100)"
  done
) &
heartbeat_pid=$!
trap 'kill "$heartbeat_pid" 2>/dev/null || true' EXIT
build_ok=1
(
  cd "$src_dir/.go/src/k8s.io/kubernetes"
  # Without a .git folder the version would read v0.0.0-master; kubectl and Nestlab show it.
  export GOPATH="$src_dir/.go" CGO_ENABLED=0 GOFLAGS= GO111MODULE=off \
    KUBE_GIT_VERSION="v$K8S_VERSION" KUBE_GIT_MAJOR=1 KUBE_GIT_MINOR=20 KUBE_GIT_TREE_STATE=clean
  make WHAT="${targets[*]}"
) >>"$LOG" 2>&1 || build_ok=0
kill "$heartbeat_pid" 2>/dev/null || true
wait "$heartbeat_pid" 2>/dev/null || true
trap - EXIT
if [[ $build_ok != 1 ]]; then
  printf '[provision] build failed; last lines of %s:\n' "$LOG" >&2
  tail -n 40 "$LOG" >&2
  fail "make WHAT=\"${targets[*]}\" failed"
fi

destination="$CACHE_BIN"
[[ $mode == node ]] && destination="$NODE_BIN"
step "copying binaries to $destination and checking they run"
mkdir -p "$destination"
for target in "${targets[@]}"; do
  name="${target#cmd/}"
  built="$(find "$src_dir/_output" -path '*/bin/*' -name "$name" -type f -print -quit)"
  [[ -n "$built" ]] || fail "build finished but $name is not under $src_dir/_output"
  # Copy then rename, so a reader never sees a half-written binary.
  cp "$built" "$destination/.$name.tmp"
  chmod 0755 "$destination/.$name.tmp"
  mv -f "$destination/.$name.tmp" "$destination/$name"
  case "$name" in
    kubectl) version="$("$destination/$name" version --client 2>&1 | head -n 1)" || fail "$name does not run" ;;
    kubeadm) version="$("$destination/$name" version -o short 2>&1)" || fail "$name version failed: $version" ;;
    *) version="$("$destination/$name" --version 2>&1)" || fail "$name --version failed: $version" ;;
  esac
  printf '[provision]   %s: %s\n' "$name" "$version"
done

step "removing the build folder (the build log stays at $LOG)"
[[ "${NESTLAB_KEEP_BUILD:-}" == 1 ]] || rm -rf "$BUILD_DIR"

if [[ $mode == node ]]; then
  step "node binaries ready in $NODE_BIN after $((SECONDS - started_at))s"
else
  step "control-plane binaries ready in $(find_bin_dir) (etcd: $(find_etcd), kubectl: $(find_kubectl)) after $((SECONDS - started_at))s"
fi
