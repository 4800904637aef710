#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A paced TCP stream that must survive a failover, for bench/failover_gap.sh.

server: accept connections one after the other; read each to EOF and answer
        with the byte count. Runs until killed.
client: send 1 KiB every --interval seconds until the file --until exists,
        half-close, read the server's count and print one JSON line: bytes
        sent, bytes the server got, the error if there was one (a reset, a
        timeout) and when it happened.
"""

import argparse
import json
import os
import socket
import sys
import time


def server(args):
    ls = socket.create_server(("::" if args.family == 6 else "0.0.0.0", args.port),
                              family=socket.AF_INET6 if args.family == 6 else socket.AF_INET,
                              backlog=4)
    while True:
        conn, _ = ls.accept()
        total = 0
        try:
            while data := conn.recv(65536):
                total += len(data)
            conn.sendall(f"{total}\n".encode())
        except OSError as e:
            print(f"tcp_stream server: {e}", file=sys.stderr)
        conn.close()


def connect(addr, port, seconds=30):
    """connect, retrying while the server is not listening yet"""
    end = time.monotonic() + seconds
    while True:
        try:
            return socket.create_connection((addr, port), timeout=5)
        except ConnectionRefusedError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


def client(args):
    res = {"sent": 0, "received": None, "error": None, "error_time": None}
    chunk = b"x" * 1024
    try:
        s = connect(args.addr, args.port)
        s.settimeout(args.timeout)
        while not os.path.exists(args.until):
            s.sendall(chunk)
            res["sent"] += len(chunk)
            time.sleep(args.interval)
        s.shutdown(socket.SHUT_WR)
        res["received"] = int(s.makefile().readline())
        s.close()
    except (OSError, ValueError) as e:
        res["error"] = f"{type(e).__name__}: {e}"
        res["error_time"] = time.time()
    print(json.dumps(res))
    return 0 if res["error"] is None and res["received"] == res["sent"] else 1


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5001)
    p.add_argument("--family", type=int, choices=[4, 6], default=4,
                   help="the server's address family (the client's follows --addr)")
    p.add_argument("--until", default="/tmp/tcp-stop")
    p.add_argument("--interval", type=float, default=0.002)
    p.add_argument("--timeout", type=float, default=15.0)
    args = p.parse_args()
    return server(args) if args.mode == "server" else client(args)


if __name__ == "__main__":
    sys.exit(main())
