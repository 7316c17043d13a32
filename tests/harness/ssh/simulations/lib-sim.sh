# SIMULATION AID: helpers shared by the stateful hypervisor stand-ins (sourced, not run).
# State lives under $NESTLAB_SIM_DIR so tests can read it:
#   libvirt/networks/<net>.xml (+ .active, .autostart)   networks defined with virsh net-define
#   libvirt/domains/<vm>/{state,ip,os,args}              VMs made by virt-install
#   vms/<vm>/                                            the VM's own files (its "disk"), where
#                                                        commands run over the stand-in ssh
#   joined/<vm>                                          {"vm","role","os"} once kubeadm joined it
#   events.log                                           one line per state change, in order
sim="${NESTLAB_SIM_DIR:?stand-ins need NESTLAB_SIM_DIR}"
lv="$sim/libvirt"
mkdir -p "$lv/networks" "$lv/domains" "$sim/vms" "$sim/joined"

# Appends "<epoch ms> <event...>" to the ordered event log (flock: parallel VM steps write at once).
sim_event() {
  local line
  line="$(date +%s%3N) $*"
  (flock 9; printf '%s\n' "$line" >>"$sim/events.log") 9>>"$sim/events.lock"
}

ip_to_int() { local IFS=.; set -- $1; echo $(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 )); }
int_to_ip() { echo "$(( ($1 >> 24) & 255 )).$(( ($1 >> 16) & 255 )).$(( ($1 >> 8) & 255 )).$(( $1 & 255 ))"; }

# A control plane's kube-apiserver (kubeadm init or a control-plane join started it; virsh destroy
# stops it with the VM, virsh start brings it back). Only in a test host with a network of its own,
# whose test serves $sim/apiserver.sock: a relay on the VM's address, port 6443 (a local address in
# the host's namespace), to the harness's real API server. Elsewhere nothing listens, as before.
start_apiserver() {
  local root="$sim/vms/$1" ip
  [ -S "$sim/apiserver.sock" ] && [ -s "$lv/domains/$1/ip" ] || return 0
  ip=$(cat "$lv/domains/$1/ip")
  echo "$ip" >"$root/apiserver.addr"
  setsid node "$(dirname "${BASH_SOURCE[0]}")/namespace-relay.mjs" "$ip:6443" "$sim/apiserver.sock" </dev/null >>"$root/apiserver.log" 2>&1 &
  echo $! >"$root/apiserver.pid"
  sim_event apiserver-start "$1" "$ip"
}
stop_apiserver() {
  local pidfile="$sim/vms/$1/apiserver.pid"
  [ -f "$pidfile" ] || return 0
  kill "$(cat "$pidfile")" 2>/dev/null
  rm -f "$pidfile"
  sim_event apiserver-stop "$1"
}
