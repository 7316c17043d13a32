#!/usr/bin/env python3
"""
A DHCP client for tests: sends one DHCPDISCOVER out of an interface (as a VM's client would on
its first boot) and prints the OFFER as JSON: the address offered and the netmask, router and
broadcast options, which a VM's network configuration takes as they come.

Usage (as root, for port 68): dhcp-discover.py INTERFACE MAC [TIMEOUT_SECONDS]
"""
import json
import random
import socket
import struct
import sys
import time

interface, mac = sys.argv[1], sys.argv[2]
timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 20.0
hardware = bytes.fromhex(mac.replace(':', ''))
xid = random.getrandbits(32)
# op BOOTREQUEST, htype Ethernet, hlen 6, hops, xid, secs, flags (broadcast: the answer comes to
# 255.255.255.255, as this client has no address), ciaddr, yiaddr, siaddr, giaddr, chaddr, sname, file.
header = struct.pack('!BBBBIHH4s4s4s4s16s64s128s', 1, 1, 6, 0, xid, 0, 0x8000, bytes(4), bytes(4), bytes(4), bytes(4),
                     hardware + bytes(10), bytes(64), bytes(128))
# The magic cookie, DHCPDISCOVER, and the options asked for: netmask (1), router (3), broadcast (28).
discover = header + b'\x63\x82\x53\x63' + bytes([53, 1, 1, 55, 3, 1, 3, 28, 255])

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
sock.bind(('', 68))
# Sent again every 2 s, as a client does: the bridge port may not forward yet when the first one goes.
deadline = time.monotonic() + timeout
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        sys.exit(f'no DHCPOFFER on {interface} within {timeout:.0f} s')
    sock.sendto(discover, ('255.255.255.255', 67))
    sock.settimeout(min(2.0, left))
    try:
        data, _ = sock.recvfrom(4096)
    except socket.timeout:
        continue
    if len(data) < 240 or struct.unpack('!I', data[4:8])[0] != xid or data[0] != 2:
        continue
    options = {}
    index = 240
    while index < len(data) and data[index] != 255:
        if data[index] == 0:
            index += 1
            continue
        code, length = data[index], data[index + 1]
        options[code] = data[index + 2:index + 2 + length]
        index += 2 + length

    def address(code):
        return socket.inet_ntoa(options[code][:4]) if code in options else None

    print(json.dumps({'address': socket.inet_ntoa(data[16:20]), 'netmask': address(1), 'router': address(3),
                      'broadcast': address(28)}))
    break
