"""Every example on the client pages (docs/clients/*.md) runs against a live server, and each
page's "What it sends" block matches what xdrlab's request log saw, so the pages cannot go stale.

Fenced blocks are marked in their info string:
- `python run` / `bash run`: executed, in order, in a folder whose `.xdrlab-state` holds a
  demo.json and msticpyconfig.yaml (for an app of the test's own, so call quotas never cross
  tests), with the environment the index page's `bash env` block exports;
- `yaml compare=FILE`: the same keys and values as the file xdrlab wrote (placeholders
  `<key from demo.json>` stand for demo.json's values, `https://localhost:8443` for the server);
- `text calls`: one line per call, `METHOD PATH [header=value ...]` (`{tenant}` for the tenant
  id, `?name` for query parameter names, `value*` a prefix, `-` an absent header). Each line
  must match a logged call, and each logged call's route must be listed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.clients.conftest import GUID, MakeClientApp, RequestsSeen
from tests.conftest import Live
from xdrlab.demo.msticpy_config import write_msticpy_config
from xdrlab.demo.seed import write_demo_json
from xdrlab.identity.catalogue import RESOURCES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "clients"
PAGES = [
    "msal.md",
    "azure-identity.md",
    "msticpy.md",
    "requests-oauthlib.md",
    "authlib.md",
    "curl.md",
]
FENCE = re.compile(r"^```([\w-]+)([^\n]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
DOCUMENTED_BASE = "https://localhost:8443"
PLACEHOLDER = re.compile(r"<(\w+) from demo\.json>")


@dataclass(frozen=True)
class Block:
    language: str
    tags: tuple[str, ...]
    text: str

    def tag(self, name: str) -> str | None:
        for tag in self.tags:
            key, _, value = tag.partition("=")
            if key == name:
                return value or key
        return None


def blocks(page: str) -> list[Block]:
    text = (DOCS / page).read_text()
    return [Block(m[1], tuple(m[2].split()), m[3]) for m in FENCE.finditer(text)]


@dataclass
class Workspace:
    folder: Path
    environment: dict[str, str]
    document: dict[str, Any]


def _exported(block: Block, folder: Path) -> dict[str, str]:
    """The variables the index page's `bash env` block exports, as a shell in `folder` sets
    them."""
    done = subprocess.run(
        ["bash", "-c", f"{block.text}\nenv -0"],
        cwd=folder,
        capture_output=True,
        check=True,
    )
    pairs = (item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    shell = dict(pairs)
    names = re.findall(r"^export (\w+)=", block.text, re.MULTILINE)
    assert names, block.text
    return {name: shell[name] for name in names}


@pytest.fixture
def workspace(live: Live, client_app: MakeClientApp, tmp_path: Path) -> Iterator[Workspace]:
    folder = tmp_path / "work"
    state = folder / ".xdrlab-state"
    state.mkdir(parents=True)
    (state / "tls").symlink_to(live.ca_file.parent, target_is_directory=True)
    # Like the demo daemon: every application permission of every API, consented.
    document = client_app({r: [p.value for p in r.app_roles] for r in RESOURCES}).demo_document()
    document["ca_file"] = str((state / "tls" / live.ca_file.name).absolute())
    write_demo_json(state, document)
    write_msticpy_config(state, document)

    (setup,) = [b for b in blocks("README.md") if b.tag("env")]
    exported = _exported(setup, folder)
    for value in exported.values():
        assert Path(value).is_file() and Path(value).samefile(live.ca_file), exported
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    environment.update(exported)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    yield Workspace(folder, environment, document)


def _run(block: Block, number: int, workspace: Workspace) -> str:
    if block.language == "python":
        script = workspace.folder / f"example_{number}.py"
        script.write_text(block.text)
        command = [sys.executable, script.name]
    else:
        assert block.language == "bash", block.language
        command = ["bash", "-euo", "pipefail", "-c", block.text]
    done = subprocess.run(
        command,
        cwd=workspace.folder,
        env=workspace.environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, f"example {number} failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip(), f"example {number} printed nothing:\n{done.stderr}"
    return done.stdout


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def _check_compare(block: Block, workspace: Workspace, live: Live) -> None:
    name = block.tag("compare")
    assert name
    documented = _flatten(yaml.safe_load(block.text))
    written = _flatten(yaml.safe_load((workspace.folder / ".xdrlab-state" / name).read_text()))
    assert set(documented) == set(written)
    for key, shown in documented.items():
        placeholder = PLACEHOLDER.fullmatch(str(shown))
        expected = (
            workspace.document[placeholder[1]]
            if placeholder
            else str(shown).replace(DOCUMENTED_BASE, live.base_url)
        )
        assert written[key] == expected, key


def _route(call: dict[str, str]) -> str:
    query = f"?{call['query']}" if "query" in call else ""
    return f"{call['method']} {GUID.sub('{tenant}', call['path'])}{query}"


def _matches(call: dict[str, str], route: str, constraints: list[str]) -> bool:
    if _route(call) != route:
        return False
    for constraint in constraints:
        name, _, value = constraint.partition("=")
        seen = call.get(name)
        if value == "-":
            ok = seen is None
        elif value.endswith("*"):
            ok = seen is not None and seen.startswith(value[:-1])
        else:
            ok = seen == value
        if not ok:
            return False
    return True


def _check_calls(block: Block, calls: list[dict[str, str]]) -> None:
    documented = []
    for line in block.text.strip().splitlines():
        method, path, *constraints = line.split()
        documented.append((f"{method} {path}", constraints))
    for route, constraints in documented:
        assert any(_matches(c, route, constraints) for c in calls), (
            f"no logged call matches {route} {' '.join(constraints)}; logged:\n"
            + "\n".join(str(c) for c in calls if _route(c) == route)
        )
    listed = {route for route, _ in documented}
    unlisted = {_route(c) for c in calls} - listed
    assert not unlisted, f"calls the page does not list: {sorted(unlisted)}"


@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run_and_say_what_the_client_sends(
    live: Live, workspace: Workspace, requests_seen: RequestsSeen, page: str
) -> None:
    found = blocks(page)
    runnable = [b for b in found if b.tag("run")]
    assert runnable, f"{page} has no runnable example"
    for number, block in enumerate(runnable, start=1):
        _run(block, number, workspace)
    for block in found:
        if block.tag("compare"):
            _check_compare(block, workspace, live)
    (calls,) = [b for b in found if b.tag("calls")]
    _check_calls(calls, requests_seen.calls)


def test_every_page_is_in_the_index() -> None:
    index = (DOCS / "README.md").read_text()
    assert {p.name for p in DOCS.glob("*.md")} - {"README.md"} == set(PAGES)
    for page in PAGES:
        assert f"]({page})" in index
