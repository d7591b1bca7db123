"""`xdrlab run` itself: exit status, errors that say what to do, the unprivileged path through a
user namespace, and what it says when the kernel allows no namespace at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.hostnames.conftest import SAMPLES, HostnamesServer, as_nobody, free_loopback_address
from xdrlab.hostnames.enter import EXIT_NOT_FOUND, EXIT_SETUP
from xdrlab.hostnames.files import hosts_text, write_run_files
from xdrlab.hostnames.names import NAMES


def xdrlab(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xdrlab", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        timeout=120,
        check=False,
    )


def test_the_programs_exit_status_is_returned(hostnames_server: HostnamesServer) -> None:
    ran = hostnames_server.run([sys.executable, "-c", "import sys; sys.exit(7)"], audit=False)
    assert ran.returncode == 7
    ran = hostnames_server.run(["no-such-program-xdrlab"], audit=False)
    assert ran.returncode == EXIT_NOT_FOUND
    assert "no-such-program-xdrlab: command not found" in ran.stderr


def test_options_after_the_command_belong_to_the_command(hostnames_server: HostnamesServer) -> None:
    """`xdrlab run` stops reading its own options at the command, `--` or not."""
    server = hostnames_server
    done = xdrlab(
        "run",
        "--state",
        str(server.state_dir),
        sys.executable,
        "-c",
        "import sys, socket; print(sys.argv[1:], socket.gethostbyname('graph.microsoft.com'))",
        "--state",
        "x",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"['--state', 'x'] {server.address}"


def test_without_a_server_it_says_how_to_start_one(tmp_path: Path) -> None:
    done = xdrlab("run", "--state", str(tmp_path), "--", "true")
    assert done.returncode == EXIT_SETUP
    assert "xdrlab serve --hostnames --state" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_stopped_server_is_reported_not_run_against(tmp_path: Path) -> None:
    """The state folder still describes a listener (the server was killed), but nothing
    answers there: the program is not started."""
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    address = free_loopback_address()
    write_run_files(tmp_path, address, NAMES, ca)
    marker = tmp_path / "ran"
    done = xdrlab("run", "--state", str(tmp_path), "--", "touch", str(marker))
    assert done.returncode == EXIT_SETUP
    assert f"nothing answers on {address}:443" in done.stderr
    assert not marker.exists()


def test_a_user_without_root_runs_through_a_user_namespace(
    hostnames_server: HostnamesServer,
) -> None:
    """As `nobody` no mount namespace can be made directly; `xdrlab run` makes a user
    namespace that maps only the caller's own uid and gid to themselves and mounts in there,
    so the program keeps its identity and reaches xdrlab the same way."""
    server = hostnames_server
    url = f"https://login.microsoftonline.com/{server.tenant_id}/v2.0/.well-known/openid-configuration"
    ran = server.run(
        [sys.executable, str(SAMPLES / "probe.py"), json.dumps([{"url": url}])],
        prefix=as_nobody(server.home.parent / "stash"),
    )
    out = ran.output()
    assert out["uid"] == 65534
    assert out["uid_map"] == "65534 65534 1"  # a user namespace holding only its own uid
    assert out["resolved"] == {"login.microsoftonline.com": server.address}
    assert out["answers"][0]["status"] == 200
    assert out["answers"][0]["body"]["issuer"].startswith("https://login.microsoftonline.com/")
    assert ran.calls()[0][:3] == (
        "GET",
        "login.microsoftonline.com",
        f"/{server.tenant_id}/v2.0/.well-known/openid-configuration",
    )


def test_no_namespace_possible_is_explained(hostnames_server: HostnamesServer) -> None:
    """Root without CAP_SYS_ADMIN (as in a default container) where user namespaces are off:
    made real with a user namespace whose limit of further user namespaces is 0 and a process
    with no capabilities left. `xdrlab run` says what it tried and what would make it work."""
    server = hostnames_server
    marker = server.home / "ran-without-namespace"
    inner = (
        "echo 0 > /proc/sys/user/max_user_namespaces && exec setpriv --bounding-set=-all "
        '--inh-caps=-all "$@"'
    )
    done = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "sh",
            "-c",
            inner,
            "sh",
            sys.executable,
            "-m",
            "xdrlab",
            "run",
            "--state",
            str(server.state_dir),
            "--",
            "touch",
            str(marker),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_SETUP, done.stderr
    message = " ".join(done.stderr.split())
    assert "cannot make a private mount namespace" in message
    assert "unshare(CLONE_NEWNS) as root: Operation not permitted" in message
    assert "unshare(CLONE_NEWUSER|CLONE_NEWNS): No space left on device" in message
    assert "user.max_user_namespaces" in message
    assert "Traceback" not in done.stderr
    assert not marker.exists()


def test_serve_refuses_a_non_loopback_address_and_plain_http(tmp_path: Path) -> None:
    done = xdrlab(
        "serve",
        "--state",
        str(tmp_path),
        "--port",
        "0",
        "--hostnames",
        "--hostnames-address",
        "192.0.2.1",
    )
    assert done.returncode == 1
    assert "192.0.2.1 is not a loopback address" in done.stderr
    done = xdrlab("serve", "--state", str(tmp_path), "--port", "0", "--no-tls", "--hostnames")
    assert done.returncode == 1
    assert "the host-name mode needs TLS" in done.stderr


def test_the_private_hosts_file_keeps_the_machines_other_names() -> None:
    machine = (
        "127.0.0.1 localhost\n"
        "# a comment\n"
        "10.1.2.3 build-cache login.microsoftonline.com  # pinned by someone\n"
        "10.9.9.9 graph.microsoft.com\n"
        "::1 localhost ip6-localhost\n"
    )
    text = hosts_text(machine, "127.0.0.2", ("login.microsoftonline.com", "graph.microsoft.com"))
    assert text.splitlines() == [
        "127.0.0.1 localhost",
        "# a comment",
        "10.1.2.3 build-cache # pinned by someone",
        "::1 localhost ip6-localhost",
        "# xdrlab host-name mode: production names answered by xdrlab",
        "127.0.0.2 login.microsoftonline.com graph.microsoft.com",
    ]
