#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Lower a group's carrier poll interval right before a late carrier loss.

For carrier_poll.sh, in the server's namespace. One process does it all,
within milliseconds, because under software emulation a command takes
hundreds of ms to start and the old interval matters for one second only:

 1. waits 1.2 s without link events, then drops the carrier of --event-dev
    (not a member): linkwatch handles that at once and then holds back
    every other report of a non-urgent device for a second;
 2. sets the group's carrier poll to --from ms (the timer's next expiry is
    then --from ms away), waits 50 ms, sets it to --to ms;
 3. drops the carrier of the member --dev and waits for the failover event.

Prints "detected_by=poll|notifier delay_ms=N window_ms=N": N the time from
the carrier loss to the event, and the window the time from the change to
--from until the loss (below --from minus 100, the old interval would make
the detection late by more than 100 ms).
"""

import argparse
import socket
import struct
import sys
import time

NETLINK_ROUTE = 0
NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLMSG_ERROR = 2
RTM_NEWLINK = 16
IFLA_CARRIER = 33
NLA_F_MASK = 0x3fff

# include/uapi/linux/vipfo.h
VIPFO_GENL_VERSION = 1
VIPFO_CMD_GROUP_SET = 3
VIPFO_CMD_FAILOVER_NTF = 10
VIPFO_A_GROUP_NAME = 2
VIPFO_A_FAILED_DEV = 10
VIPFO_A_DETECTED_BY = 12
VIPFO_A_CARRIER_POLL = 13
VIPFO_DEV_A_IFNAME = 2
DETECTORS = {0: "notifier", 1: "poll"}


def attr(kind, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, kind) + payload + b"\0" * (-n % 4)


def attrs(data, off=0, end=None):
    end = len(data) if end is None else end
    while off + 4 <= end:
        n, kind = struct.unpack_from("=HH", data, off)
        if n < 4:
            break
        yield kind & NLA_F_MASK, data[off + 4:off + n]
        off += (n + 3) & ~3


def send(sock, kind, flags, body, seq):
    sock.send(struct.pack("=IHHII", 16 + len(body), kind, flags, seq, 0)
              + body)


def acked(sock, kind, body, seq):
    send(sock, kind, NLM_F_REQUEST | NLM_F_ACK, body, seq)
    while True:
        data = sock.recv(65536)
        length, mtype, _, mseq = struct.unpack_from("=IHHI", data)
        if mtype == NLMSG_ERROR and mseq == seq:
            err = -struct.unpack_from("=i", data, 16)[0]
            if err:
                raise OSError(err, f"request {seq}")
            return


def genl(cmd, payload):
    return struct.pack("=BBH", cmd, VIPFO_GENL_VERSION, 0) + payload


def family(sock):
    send(sock, GENL_ID_CTRL, NLM_F_REQUEST,
         struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0)
         + attr(CTRL_ATTR_FAMILY_NAME, b"vipfo\0"), 1)
    data = sock.recv(65536)
    if struct.unpack_from("=H", data, 4)[0] == NLMSG_ERROR:
        raise OSError(-struct.unpack_from("=i", data, 16)[0], "vipfo family")
    fid = grp = None
    for kind, val in attrs(data, 20):
        if kind == CTRL_ATTR_FAMILY_ID:
            fid = struct.unpack_from("=H", val)[0]
        elif kind == CTRL_ATTR_MCAST_GROUPS:
            for _, g in attrs(val):
                d = dict(attrs(g))
                if d.get(CTRL_ATTR_MCAST_GRP_NAME) == b"events\0":
                    grp = struct.unpack_from("=I",
                                             d[CTRL_ATTR_MCAST_GRP_ID])[0]
    return fid, grp


def set_carrier(rtnl, dev, on, seq):
    index = int(open(f"/sys/class/net/{dev}/ifindex").read())
    body = struct.pack("=BBHiII", socket.AF_UNSPEC, 0, 0, index, 0, 0)
    acked(rtnl, RTM_NEWLINK, body + attr(IFLA_CARRIER, bytes([on])), seq)


def set_poll(sock, fid, group, ms, seq):
    acked(sock, fid, genl(VIPFO_CMD_GROUP_SET,
                          attr(VIPFO_A_GROUP_NAME, group.encode() + b"\0")
                          + attr(VIPFO_A_CARRIER_POLL, struct.pack("=I", ms))),
          seq)


def failover_of(events, fid, dev, deadline):
    """The detector of the first failover event of dev, or None."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        events.settimeout(left)
        try:
            data = events.recv(65536)
        except socket.timeout:
            return None
        mtype = struct.unpack_from("=H", data, 4)[0]
        if mtype != fid or data[16] != VIPFO_CMD_FAILOVER_NTF:
            continue
        a = dict(attrs(data, 20))
        failed = dict(attrs(a.get(VIPFO_A_FAILED_DEV, b"")))
        if failed.get(VIPFO_DEV_A_IFNAME, b"").rstrip(b"\0") == dev.encode():
            return DETECTORS.get(a[VIPFO_A_DETECTED_BY][0], "?")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--group", required=True)
    ap.add_argument("--dev", required=True, help="member whose carrier goes")
    ap.add_argument("--event-dev", required=True,
                    help="another device, its carrier on, for linkwatch's clock")
    ap.add_argument("--from", dest="old", type=int, default=1000)
    ap.add_argument("--to", dest="new", type=int, default=5)
    args = ap.parse_args()

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    events = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                           NETLINK_GENERIC)
    rtnl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    fid, grp = family(sock)
    # Bound: an unbound socket has port id 0, the kernel's own, to which
    # no multicast is delivered.
    events.bind((0, 0))
    events.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, grp)

    time.sleep(1.2)
    set_carrier(rtnl, args.event_dev, 0, 2)
    t_old = time.monotonic()
    set_poll(sock, fid, args.group, args.old, 3)
    # The timer armed with the shorter interval expires meanwhile and is
    # then on the long period, as the first change left it.
    time.sleep(0.05)
    set_poll(sock, fid, args.group, args.new, 4)
    t_loss = time.monotonic()
    set_carrier(rtnl, args.dev, 0, 5)
    detector = failover_of(events, fid, args.dev, t_loss + 5)
    t_seen = time.monotonic()
    if detector is None:
        print(f"no failover event for {args.dev} within 5 s")
        return 1
    print(f"detected_by={detector} delay_ms={round((t_seen - t_loss) * 1000)}"
          f" window_ms={round((t_loss - t_old) * 1000)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
