#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Paced TCP transfer with an end-to-end checksum, for the vipfo selftests.

server: accept one connection, read to EOF (writing the byte count so far to
        --progress), answer "<bytes> <sha256>" and exit. With --stall-since
        FILE, which holds a moment (seconds since the epoch, as the shell's
        $EPOCHREALTIME), it also prints the longest time without data
        from that moment on, "stall <seconds> at <byte>", and when the
        last data arrived (before the EOF), "end <seconds since the
        epoch>".
client: send --size pseudo-random bytes in --chunk pieces, --delay seconds
        apart (after --pause-at bytes, wait for --resume-file to exist; stop
        early once --stop-file exists), half-close, read the server's
        answer and compare it with what was sent. Exit 0 only when both
        sides agree; a reset, a timeout or a mismatch exits 1 with one line
        saying what happened.
"""

import argparse
import hashlib
import os
import random
import socket
import sys
import time


def write_progress(path, n):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{n}\n")
    os.replace(tmp, path)


def server(args):
    family = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.addr, args.port))
    ls.listen(1)
    if args.ready:
        open(args.ready, "w").close()
    ls.settimeout(args.timeout)
    conn, _ = ls.accept()
    conn.settimeout(args.timeout)
    digest, total = hashlib.sha256(), 0
    arrivals = []       # (time, bytes before it)
    while True:
        data = conn.recv(65536)
        arrivals.append((time.time(), total))
        if not data:
            break
        digest.update(data)
        total += len(data)
        if args.progress:
            write_progress(args.progress, total)
    conn.sendall(f"{total} {digest.hexdigest()}\n".encode())
    conn.close()
    print(total, digest.hexdigest())
    if args.stall_since:
        print_stall(args.stall_since, arrivals)
    return 0


def print_stall(path, arrivals):
    """The longest time without data from the moment in path on."""
    try:
        with open(path) as f:
            since = float(f.read())
    except (OSError, ValueError) as e:
        print(f"stall unknown: {e}")
        return
    longest, at, last = 0.0, None, since
    for t, n in arrivals:
        if t < since:
            continue
        if t - last > longest:
            longest, at = t - last, n
        last = t
    print(f"stall {longest:.3f} at {at}")
    print(f"end {arrivals[-2][0] if len(arrivals) > 1 else 0:.6f}")


def client(args):
    rng = random.Random(args.seed)
    digest = hashlib.sha256()
    s = socket.create_connection((args.addr, args.port), timeout=args.timeout)
    sent = 0
    paused = False
    while sent < args.size:
        if args.stop_file and os.path.exists(args.stop_file):
            break
        if args.pause_at and not paused and sent >= args.pause_at:
            deadline = time.monotonic() + args.timeout
            while not os.path.exists(args.resume_file):
                if time.monotonic() > deadline:
                    raise TimeoutError("never told to resume")
                time.sleep(0.02)
            paused = True
        chunk = rng.randbytes(min(args.chunk, args.size - sent))
        s.sendall(chunk)
        digest.update(chunk)
        sent += len(chunk)
        time.sleep(args.delay)
    s.shutdown(socket.SHUT_WR)
    answer = b""
    while not answer.endswith(b"\n"):
        data = s.recv(256)
        if not data:
            break
        answer += data
    s.close()
    want = f"{sent} {digest.hexdigest()}"
    got = answer.decode().strip()
    print(f"sent {want}, server got {got}")
    return 0 if got == want else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("mode", choices=["server", "client"])
    ap.add_argument("--addr", required=True, help="IPv4 or IPv6")
    ap.add_argument("--port", type=int, default=5000)
    ap.add_argument("--size", type=int, default=1 << 20)
    ap.add_argument("--chunk", type=int, default=8192)
    ap.add_argument("--delay", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--progress", help="server: file with bytes received")
    ap.add_argument("--ready", help="server: file to create once listening")
    ap.add_argument("--stall-since",
                    help="server: file with the moment to measure stalls from")
    ap.add_argument("--pause-at", type=int, default=0,
                    help="client: bytes after which to wait for --resume-file")
    ap.add_argument("--resume-file", help="client: see --pause-at")
    ap.add_argument("--stop-file",
                    help="client: stop sending once this file exists")
    args = ap.parse_args()
    try:
        return server(args) if args.mode == "server" else client(args)
    except OSError as e:
        print(f"tcp_xfer {args.mode}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
