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
