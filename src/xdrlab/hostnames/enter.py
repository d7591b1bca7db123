"""`python -I -m xdrlab.hostnames.enter HOSTS_FILE COMMAND [ARGS...]`: the last step of
`xdrlab run`. Enters the private mount namespace with HOSTS_FILE as `/etc/hosts` and execs
COMMAND, which keeps this process (so its exit status and signals are COMMAND's).

Standard library only, and nothing that starts a thread: see `namespace`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from xdrlab.hostnames.namespace import NamespaceError, enter_private_hosts

# The runner's own failures, as env(1) and container runtimes number them.
EXIT_SETUP = 125
EXIT_CANNOT_EXECUTE = 126
EXIT_NOT_FOUND = 127


def _fail(message: str, code: int) -> int:
    print(f"xdrlab run: {message}", file=sys.stderr)
    return code


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        return _fail("usage: python -m xdrlab.hostnames.enter HOSTS_FILE COMMAND [ARGS...]", 2)
    hosts_file, command = Path(argv[0]), argv[1:]
    try:
        enter_private_hosts(hosts_file)
    except NamespaceError as failure:
        return _fail(str(failure), EXIT_SETUP)
    try:
        os.execvp(command[0], command)  # noqa: S606 - running the user's command is the point
    except FileNotFoundError:
        return _fail(f"{command[0]}: command not found", EXIT_NOT_FOUND)
    except OSError as failure:
        return _fail(f"{command[0]}: {failure.strerror}", EXIT_CANNOT_EXECUTE)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
