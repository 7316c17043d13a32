#!/bin/sh
# STAND-IN for crictl (cri-tools), carried in the real-VM tier's offline bundle (bin/crictl) because
# the real one cannot be had here: Debian 12 has no cri-tools and only Debian's archive and npm are
# reachable. kubeadm 1.20's preflight requires crictl in PATH for a CRI socket and calls
#   crictl -r <socket> info | inspecti <image> | pull <image> | pods -q | stopp <id> | rmp <id>
# (cmd/kubeadm/app/util/runtime/runtime.go). This script does those (and images, ps, version) with
# containerd's own ctr in the k8s.io namespace, with crictl's output shapes, exit codes and
# "FATA[0000]" errors where kubeadm reads them. What it cannot do as the real one does: stopp/rmp
# kill and delete a pod's tasks and containers behind the CRI plugin's back (the real one asks the
# CRI plugin, which also tears down the pod network); pull uses ctr's resolver with
# /etc/containerd/certs.d, as the CRI plugin's registry config does. Anything else is refused.
set -eu

endpoint=unix:///run/containerd/containerd.sock
while [ $# -gt 0 ]; do
  case $1 in
  -r | --runtime-endpoint) endpoint=$2; shift 2 ;;
  --runtime-endpoint=*) endpoint=${1#*=}; shift ;;
  -i | --image-endpoint | -t | --timeout | -c | --config) shift 2 ;;
  --image-endpoint=* | --timeout=* | --config=* | -D | --debug) shift ;;
  *) break ;;
  esac
done
socket=${endpoint#unix://}

fatal() {
  printf 'FATA[0000] %s\n' "$*" >&2
  exit 1
}

k8s_ctr() {
  ctr --address "$socket" --namespace k8s.io "$@"
}

# A reference as the CRI plugin stores it: docker.io/library/ for short names, :latest without a tag.
normalize() {
  ref=$1
  case ${ref%%/*} in
  *.* | *:* | localhost) ;;
  *) case $ref in */*) ref=docker.io/$ref ;; *) ref=docker.io/library/$ref ;; esac ;;
  esac
  case ${ref##*/} in *:* | *@*) ;; *) ref=$ref:latest ;; esac
  printf '%s\n' "$ref"
}

reachable() {
  k8s_ctr version >/dev/null 2>&1 ||
    fatal "validate service connection: CRI v1 runtime API is not implemented for endpoint \"$endpoint\": connection error: desc = \"transport: Error while dialing dial unix $socket: connect: no such file or directory\""
}

# Sandbox (pod) or container IDs of the CRI plugin: its containers carry io.cri-containerd.kind.
ids_of_kind() {
  k8s_ctr containers ls -q "labels.\"io.cri-containerd.kind\"==$1"
}

# The tasks and containers of a pod (its containers, then the sandbox).
pod_members() {
  k8s_ctr containers ls -q "labels.\"io.kubernetes.sandbox.id\"==$1" 2>/dev/null || true
  printf '%s\n' "$1"
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
info)
  reachable
  network=false
  for conf in /etc/cni/net.d/*.conf /etc/cni/net.d/*.conflist /etc/cni/net.d/*.json; do [ -f "$conf" ] && network=true; done
  reason=''
  [ "$network" = true ] || reason='NetworkPluginNotReady'
  printf '{\n  "status": {\n    "conditions": [\n'
  printf '      {"type": "RuntimeReady", "status": true, "reason": "", "message": ""},\n'
  printf '      {"type": "NetworkReady", "status": %s, "reason": "%s", "message": ""}\n' "$network" "$reason"
  printf '    ]\n  }\n}\n'
  ;;
version)
  reachable
  printf 'Version:  0.1.0\nRuntimeName:  containerd\nRuntimeVersion:  %s\nRuntimeApiVersion:  v1\n' \
    "$(k8s_ctr version | sed -n '/^Server:/,$ s/^ *Version: *//p' | head -n 1)"
  ;;
images | image | img)
  reachable
  quiet=false
  [ "${1:-}" = -q ] || [ "${1:-}" = --quiet ] && quiet=true
  if [ "$quiet" = true ]; then
    k8s_ctr images ls | awk 'NR > 1 { print $3 }' | sort -u
  else
    printf '%-50s %-20s %-15s\n' IMAGE TAG 'IMAGE ID'
    k8s_ctr images ls | awk 'NR > 1 && $1 !~ /^sha256:/ { n = split($1, a, ":"); repo = substr($1, 1, length($1) - length(a[n]) - 1); printf "%-50s %-20s %-15s\n", repo, a[n], substr($3, 8, 13) }'
  fi
  ;;
inspecti)
  reachable
  [ $# -gt 0 ] || fatal 'ID cannot be empty'
  for image in "$@"; do
    ref=$(normalize "$image")
    digest=$(k8s_ctr images ls "name==$ref" | awk 'NR > 1 { print $3 }')
    [ -n "$digest" ] || fatal "no such image \"$image\" present"
    printf '{\n  "status": {\n    "repoTags": ["%s"],\n    "repoDigests": ["%s@%s"]\n  }\n}\n' "$ref" "${ref%:*}" "$digest"
  done
  ;;
pull)
  reachable
  [ $# -gt 0 ] || fatal 'PullImage: image name cannot be empty'
  ref=$(normalize "$1")
  k8s_ctr images pull --hosts-dir /etc/containerd/certs.d "$ref" >/dev/null 2>&1 ||
    fatal "pulling image: rpc error: code = Unknown desc = failed to pull and unpack image \"$ref\""
  printf 'Image is up to date for %s\n' "$(k8s_ctr images ls "name==$ref" | awk 'NR > 1 { print $3 }')"
  ;;
pods | ps)
  reachable
  kind=sandbox
  [ "$command" = ps ] && kind=container
  quiet=false
  for arg in "$@"; do case $arg in -q | --quiet) quiet=true ;; esac done
  if [ "$quiet" = true ]; then
    ids_of_kind "$kind"
  else
    printf '%-15s %s\n' ID NAME
    for id in $(ids_of_kind "$kind"); do printf '%-15s %s\n' "$(printf '%s' "$id" | cut -c1-13)" "$id"; done
  fi
  ;;
stopp)
  reachable
  [ $# -gt 0 ] || fatal 'ID cannot be empty'
  for pod in "$@"; do
    for id in $(pod_members "$pod"); do k8s_ctr tasks kill --signal SIGKILL "$id" >/dev/null 2>&1 || true; done
    printf 'Stopped sandbox %s\n' "$pod"
  done
  ;;
rmp)
  reachable
  [ $# -gt 0 ] || fatal 'ID cannot be empty'
  for pod in "$@"; do
    for id in $(pod_members "$pod"); do
      k8s_ctr tasks delete --force "$id" >/dev/null 2>&1 || true
      k8s_ctr containers delete "$id" >/dev/null 2>&1 || true
    done
    printf 'Removed sandbox %s\n' "$pod"
  done
  ;;
*)
  fatal "crictl stand-in (Nestlab real-VM tier): \"$command\" is not one of the commands kubeadm 1.20 runs (info, version, images, inspecti, pull, pods, ps, stopp, rmp)"
  ;;
esac
