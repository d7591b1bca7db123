"""What `xdrlab serve --hostnames` leaves in the state folder for `xdrlab run`.

`hostnames/hosts` is the machine's hosts file with the production names mapped to the
listening address, `hostnames/ca-bundle.pem` is xdrlab's CA followed by the system's trusted
CAs (so a program run this way still reaches other TLS hosts), and `hostnames/listener.json`
says where the server listens. None of them is secret, so all are world-readable: `xdrlab run`
may run as another user than the server.
"""

from __future__ import annotations

import json
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

SYSTEM_HOSTS = Path("/etc/hosts")
PORT = 443


@dataclass(frozen=True)
class RunFiles:
    directory: Path

    @property
    def hosts(self) -> Path:
        return self.directory / "hosts"

    @property
    def ca_bundle(self) -> Path:
        return self.directory / "ca-bundle.pem"

    @property
    def listener(self) -> Path:
        return self.directory / "listener.json"


def run_files(state_dir: Path) -> RunFiles:
    return RunFiles(state_dir / "hostnames")


@dataclass(frozen=True)
class Listener:
    address: str
    port: int
    names: tuple[str, ...]


def hosts_text(machine_hosts: str, address: str, names: tuple[str, ...]) -> str:
    """The machine's hosts file with `names` taken out of its lines and mapped to `address`
    on a line of their own, so every other name resolves as before."""
    wanted = {name.lower() for name in names}
    lines = []
    for line in machine_hosts.splitlines():
        entry, hash_sign, comment = line.partition("#")
        fields = entry.split()
        if len(fields) < 2 or wanted.isdisjoint(f.lower() for f in fields[1:]):
            lines.append(line)
            continue
        kept = [f for f in fields[1:] if f.lower() not in wanted]
        if kept:
            lines.append(" ".join([fields[0], *kept]) + (f" #{comment}" if hash_sign else ""))
    lines.append("# xdrlab host-name mode: production names answered by xdrlab")
    lines.append(f"{address} {' '.join(names)}")
    return "\n".join(lines) + "\n"


def system_ca_file() -> Path | None:
    """The trust store OpenSSL uses by default, or certifi's where there is none."""
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    try:
        import certifi
    except ImportError:
        return None
    return Path(certifi.where())


def write_run_files(
    state_dir: Path, address: str, names: tuple[str, ...], ca_file: Path
) -> RunFiles:
    files = run_files(state_dir)
    files.directory.mkdir(parents=True, exist_ok=True)
    os.chmod(files.directory, 0o755)  # noqa: S103 - public on purpose (see above)
    try:
        machine = SYSTEM_HOSTS.read_text()
    except OSError:
        machine = "127.0.0.1 localhost\n::1 localhost\n"
    bundle = ca_file.read_text()
    system = system_ca_file()
    if system is not None:
        bundle = bundle.rstrip("\n") + "\n" + system.read_text()
    listener = {"address": address, "port": PORT, "names": list(names)}
    for path, text in (
        (files.hosts, hosts_text(machine, address, names)),
        (files.ca_bundle, bundle),
        (files.listener, json.dumps(listener, indent=2) + "\n"),
    ):
        _write_public(path, text)
    return files


def _write_public(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.chmod(tmp, 0o644)
    tmp.replace(path)


def read_listener(state_dir: Path) -> Listener | None:
    try:
        raw = json.loads(run_files(state_dir).listener.read_text())
        return Listener(str(raw["address"]), int(raw["port"]), tuple(raw["names"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget_listener(state_dir: Path) -> None:
    """The server stopped: `xdrlab run` should say so rather than try the address."""
    run_files(state_dir).listener.unlink(missing_ok=True)
