#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Leave a dump of the vipfo family in progress, for the vipfo selftests.

Asks for a dump of every group (VIPFO_CMD_GROUP_GET with NLM_F_DUMP) and
never reads the answer: the kernel fills the first message while the
request is sent and the rest only as the socket is read, so as long as
the groups do not fit in one message the dump stays in progress, and the
netlink core holds a reference on the module that runs it. Creates
--ready once the request is sent, then waits for a signal; exiting closes
the socket, which ends the dump and drops the reference.
"""

import argparse
import signal
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
VIPFO_CMD_GROUP_GET = 4
VIPFO_GENL_VERSION = 1


def attr(kind, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, kind) + payload + b"\0" * (-n % 4)


def request(sock, family, flags, cmd, version, attrs=b"", seq=1):
    body = struct.pack("=BBH", cmd, version, 0) + attrs
    sock.send(struct.pack("=IHHII", 16 + len(body), family, flags, seq, 0)
              + body)


def family_id(sock, name):
    request(sock, GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, 1,
            attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
    data = sock.recv(65536)
    length, kind = struct.unpack_from("=IH", data)
    if kind == NLMSG_ERROR:
        err = -struct.unpack_from("=i", data, 16)[0]
        raise OSError(err, f"family {name}")
    off = 20
    while off < length:
        n, a = struct.unpack_from("=HH", data, off)
        if a == CTRL_ATTR_FAMILY_ID:
            return struct.unpack_from("=H", data, off + 4)[0]
        off += (n + 3) & ~3
    raise OSError(f"family {name}: no id in the answer")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--ready", required=True,
                    help="file to create once the dump is in progress")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    try:
        fid = family_id(sock, "vipfo")
        request(sock, fid, NLM_F_REQUEST | NLM_F_DUMP, VIPFO_CMD_GROUP_GET,
                VIPFO_GENL_VERSION, seq=2)
    except OSError as e:
        print(f"genl_hold: {e}", file=sys.stderr)
        return 1
    open(args.ready, "w").close()
    signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
