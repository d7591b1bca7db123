"""The SDK pages' examples keep working: every ```python block (the demo-tenant examples) runs
against the live server as a user would run it; the other Python blocks (production,
interactive) must at least compile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import Live
from tests.sdk.conftest import demo_json_path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sdk"
BLOCK = re.compile(r"^```(python[^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
PAGES = ["application.md", "user.md", "partner.md"]


def blocks(page: str) -> list[tuple[str, str]]:
    return [(m.group(1).strip(), m.group(2)) for m in BLOCK.finditer((DOCS / page).read_text())]


@pytest.mark.parametrize("page", [*PAGES, "index.md"])
def test_every_python_block_compiles(page: str) -> None:
    found = blocks(page)
    assert found, f"{page} has no Python example"
    for info, code in found:
        compile(code, f"{page} ({info})", "exec")


@pytest.mark.parametrize("page", PAGES)
def test_demo_example_runs_against_the_live_server(
    live: Live, page: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    runnable = [code for info, code in blocks(page) if info == "python"]
    assert len(runnable) == 1, f"{page} needs one demo example"
    labels = [info for info, _ in blocks(page)]
    assert "python production" in labels, f"{page} needs the production example"
    monkeypatch.setenv("XDRLAB_DEMO_JSON", str(demo_json_path(live)))
    exec(compile(runnable[0], page, "exec"), {"__name__": "__main__"})  # noqa: S102
    printed = capsys.readouterr().out
    assert printed.strip(), f"{page}'s example printed nothing"
    if page == "partner.md":
        partner = live.demo.partner
        assert partner is not None
        woodgrove = partner.customer_domains[partner.consented_tenant_id]
        assert printed.startswith(woodgrove)
        assert f"not consented: {{'{partner.unconsented_tenant_id}': (700016,)}}" in printed
