# SPDX-License-Identifier: GPL-2.0
"""The resolving loop of arp_client.py and ndisc_client.py ('resolve'):
a request sent again and again on a raw socket, and the answers to each
counted, fast enough to keep pace beside a flood (no scapy)."""

import ctypes
import socket
import struct
import time

SO_ATTACH_FILTER = 26


def raw_socket(iface, proto, bpf):
    """An AF_PACKET socket on iface for proto, with the classic BPF
    program bpf (a list of (code, jt, jf, k)) attached."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
    prog = b"".join(struct.pack("HBBI", *i) for i in bpf)
    buf = ctypes.create_string_buffer(prog)
    fprog = struct.pack("HL", len(bpf), ctypes.addressof(buf))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    sock.bind((iface, proto))
    return sock


def resolve(sock, request, count, inter, answer):
    """Send request count times, inter seconds apart; print one line per
    request with the answers that arrived before the next one (answer(data)
    names a frame's sender, or returns None for a frame that is no answer):
    <number> <answers> <sender,...>; then "answered <requests answered> of
    <requests>"."""
    answered = 0
    for i in range(count):
        sock.send(request)
        end = time.monotonic() + inter
        senders = []
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                data = sock.recv(128)
            except socket.timeout:
                break
            sender = answer(data)
            if sender is not None:
                senders.append(sender)
        answered += bool(senders)
        print(i, len(senders), ",".join(senders) or "-", flush=True)
    print(f"answered {answered} of {count}")
