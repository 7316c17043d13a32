#!/bin/sh
# What a new VM on a lab network is offered by DHCP (a test's client, run as root on the lab
# host): a veth pair with one end a port of BRIDGE, the other in a network namespace of its own
# (so the answer, from the host's own bridge address, is not dropped as a martian), and
# dhcp-discover.py (beside this script) on it. Prints the OFFER as JSON.
# Usage: dhcp-offer-on-bridge.sh BRIDGE MAC [TIMEOUT_SECONDS]
set -u
bridge=$1 mac=$2 timeout=${3:-60}
here=$(dirname "$0")
ip link add nlt0 type veth peer name nlt1 && ip link set nlt0 master "$bridge" up || exit 1
fifos=$(mktemp -d) && mkfifo "$fifos/in" "$fifos/moved" || exit 1
# The client says when it is in its namespace, and waits until its end of the pair is there.
unshare --net sh -c 'echo >"$1/in"; read -r _ <"$1/moved"; ip link set nlt1 up && ip route add default dev nlt1 && exec python3 "$2" nlt1 "$3" "$4"' \
  client "$fifos" "$here/dhcp-discover.py" "$mac" "$timeout" &
client=$!
read -r _ <"$fifos/in"
ip link set nlt1 netns "$client"
echo >"$fifos/moved"
wait "$client"
status=$?
ip link del nlt0 2>/dev/null
rm -rf "$fifos"
exit "$status"
