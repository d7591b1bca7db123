"""Loaded by every Python program the host-name tests run (it is on their PYTHONPATH): records
each host name the program looks up and each address it connects to, as JSON lines in the
file named by XDRLAB_TEST_AUDIT, so a test can show that nothing left loopback."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

_path = os.environ.get("XDRLAB_TEST_AUDIT")


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.getaddrinfo":
        entry = {"event": "lookup", "host": str(args[0]), "port": str(args[1])}
    elif event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple):
            entry = {"event": "connect", "address": str(address[0]), "port": address[1]}
        else:
            entry = {"event": "connect", "address": str(address), "port": None}
    else:
        return
    entry["argv"] = sys.orig_argv
    with open(_path, "a") as handle:  # type: ignore[arg-type]
        handle.write(json.dumps(entry) + "\n")


if _path:
    sys.addaudithook(_hook)
