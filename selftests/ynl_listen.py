#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Collect a family's notifications with the kernel's ynl, for ynl.sh.

cli.py --subscribe sleeps a fixed window before it reads what came: the
test would wait for the whole window, which must be long enough for
Python under emulation. This listener uses the same ynl library (lib/ of
tools/net/ynl) to join the multicast group, creates --ready once it has,
then reads until --count notifications came or --timeout passed, and
prints them as cli.py --output-json does: one JSON list, on one line.
Exits 1 when fewer than --count came.
"""

import argparse
import json
import pathlib
import select
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--ynl-dir', required=True, help="tools/net/ynl")
    p.add_argument('--spec', required=True)
    p.add_argument('--subscribe', required=True, help="multicast group")
    p.add_argument('--count', type=int, required=True)
    p.add_argument('--timeout', type=float, required=True, help="seconds")
    p.add_argument('--ready', required=True, help="file created when joined")
    args = p.parse_args()

    sys.path.insert(0, args.ynl_dir)
    from lib import YnlFamily  # pylint: disable=import-outside-toplevel

    ynl = YnlFamily(args.spec, '')
    ynl.ntf_subscribe(args.subscribe)
    pathlib.Path(args.ready).touch()
    deadline = time.monotonic() + args.timeout
    while len(ynl.async_msg_queue) < args.count:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        select.select([ynl.sock], [], [], left)
        ynl.check_ntf()

    def as_json(obj):
        return bytes.hex(obj) if isinstance(obj, bytes) else list(obj)

    print(json.dumps(ynl.async_msg_queue, default=as_json))
    return 0 if len(ynl.async_msg_queue) >= args.count else 1


if __name__ == '__main__':
    sys.exit(main())
