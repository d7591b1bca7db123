"""A private mount namespace in which `/etc/hosts` is another file.

The calling process moves into a new mount namespace, makes every mount private there (so
nothing it mounts propagates back to the machine), and bind-mounts a file over `/etc/hosts`.
The machine's own hosts file is never written. As root this needs only a mount namespace;
without root the process first enters a new user namespace in which it keeps its own user and
group ids, which is enough to mount inside it (the kernel must allow unprivileged user
namespaces). The caller then execs the program, which inherits the namespace.

The kernel makes a user namespace only for a single-threaded process, and some libraries start
threads when imported (pyarrow does), so this runs in a small process of its own
(`xdrlab.hostnames.enter`) that imports nothing but the standard library.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

# From <sched.h> and <sys/mount.h> (os.unshare exists only from Python 3.12).
CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000

HOSTS = Path("/etc/hosts")
# glibc asks a running nscd before reading /etc/hosts, and nscd answers from the machine's
# namespace; covering its socket makes lookups in here fall back to the files.
NSCD_SOCKETS = (Path("/run/nscd/socket"), Path("/var/run/nscd/socket"))


class NamespaceError(Exception):
    """No private mount namespace could be made; the message says what was tried."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _mount(source: str | None, target: str, flags: int) -> None:
    result = _libc().mount(
        source.encode() if source else None, target.encode(), None, ctypes.c_ulong(flags), None
    )
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"mount {source or ''} on {target}: {os.strerror(code)}")


def _unshare(flags: int, name: str) -> None:
    if _libc().unshare(ctypes.c_int(flags)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{name}: {os.strerror(code)}")


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w") as handle:
            handle.write(text)
    except OSError as error:
        raise OSError(error.errno, f"writing {path}: {error.strerror}") from None


def _enter_as_root() -> None:
    _unshare(CLONE_NEWNS, "unshare(CLONE_NEWNS) as root")


def _enter_as_user() -> None:
    """A user namespace mapping only our own uid and gid to themselves: the program keeps its
    identity (not root, as `unshare -r` would make it) and the mounts are ours to make."""
    uid, gid = os.geteuid(), os.getegid()
    _unshare(CLONE_NEWUSER | CLONE_NEWNS, "unshare(CLONE_NEWUSER|CLONE_NEWNS)")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1\n")
    _write("/proc/self/gid_map", f"{gid} {gid} 1\n")


def _explain(attempts: list[OSError]) -> str:
    tried = "; ".join(str(error.strerror) for error in attempts)
    as_root = (
        " (root without CAP_SYS_ADMIN cannot use a user namespace either: mapping uid 0 into one "
        "needs CAP_SETFCAP)"
        if os.geteuid() == 0
        else ""
    )
    return (
        f"cannot make a private mount namespace ({tried}). `xdrlab run` needs root with "
        "CAP_SYS_ADMIN (in a container e.g. `--cap-add SYS_ADMIN`), or a non-root user and "
        "unprivileged user namespaces (sysctl user.max_user_namespaces > 0, and "
        "kernel.unprivileged_userns_clone=1 or kernel.apparmor_restrict_unprivileged_userns=0 "
        f"where those exist; container seccomp profiles often block them){as_root}. Without "
        "either, point clients at xdrlab by configuration instead (docs/hostnames.md lists the "
        "alternatives)."
    )


def enter_private_hosts(hosts_file: Path) -> str:
    """Move this process into a mount namespace where `/etc/hosts` shows `hosts_file`.
    Returns how ("mount namespace" or "user namespace"); raises `NamespaceError` when the
    kernel allows neither. The process must be single-threaded."""
    if len(os.listdir("/proc/self/task")) != 1:
        raise NamespaceError("internal: namespaces must be entered before any thread starts")
    attempts: list[OSError] = []
    how = ""
    if os.geteuid() == 0:
        try:
            _enter_as_root()
            how = "mount namespace"
        except OSError as error:
            attempts.append(error)
    if not how:
        try:
            _enter_as_user()
            how = "user namespace"
        except OSError as error:
            attempts.append(error)
            raise NamespaceError(_explain(attempts)) from None
    try:
        _mount(None, "/", MS_REC | MS_PRIVATE)
        _mount(str(hosts_file), str(HOSTS), MS_BIND)
        for socket_path in {path.resolve() for path in NSCD_SOCKETS if path.exists()}:
            _mount("/dev/null", str(socket_path), MS_BIND)
    except OSError as error:
        raise NamespaceError(f"in a new {how}: {error.strerror}") from None
    return how
