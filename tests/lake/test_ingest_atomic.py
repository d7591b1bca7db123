"""An ingestion appears whole or not at all: failures and crashes leave no visible rows."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.lake.conftest import staged_files, visible_files, write_jsonl
from xdrlab.lake.ingest import ingest_file, ingest_rows
from xdrlab.lake.schema import hunting_table
from xdrlab.lake.staging import JOURNAL_FOLDER, recover_interrupted
from xdrlab.lake.store import Lake

TABLE = "DeviceProcessEvents"


def _rows(count: int, days: int = 3) -> list[dict[str, Any]]:
    return [
        {"Timestamp": f"2024-05-{1 + i % days:02d}T00:00:{i % 60:02d}Z", "ProcessId": i}
        for i in range(count)
    ]


def test_failing_rename_leaves_nothing_visible(
    lake: Lake, tenant_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", _rows(1000))
    real_replace = Path.replace
    calls: list[Path] = []

    def flaky_replace(self: Path, target: Any) -> Path:
        if self.name.endswith(".parquet.writing"):
            calls.append(self)
            if len(calls) == 2:
                raise OSError("disk on fire")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", flaky_replace)
    with pytest.raises(OSError, match="disk on fire"):
        ingest_file(lake, tenant_id, TABLE, source)
    assert len(calls) == 2  # the first file had been renamed before the failure
    assert visible_files(lake) == [] and staged_files(lake) == []
    assert list((lake.root / JOURNAL_FOLDER).iterdir()) == []


def test_failure_while_reading_discards_staged_rows(lake: Lake, tenant_id: str) -> None:
    table = hunting_table(TABLE)
    assert table is not None
    seen_staged: list[int] = []

    def rows() -> Iterator[dict[str, Any]]:
        yield from _rows(150_000, days=1)  # several batches: a row group is on disk by now
        seen_staged.append(len(staged_files(lake)))
        assert lake.files(tenant_id, table) == []  # readers see nothing yet
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError, match="source went away"):
        ingest_rows(lake, tenant_id, TABLE, rows())
    assert seen_staged and seen_staged[0] > 0
    assert visible_files(lake) == [] and staged_files(lake) == []


_KILLED_WHILE = {
    "staging": """
        def rows():
            for i in range(150_000):
                yield {"Timestamp": "2024-05-01T00:00:00Z"}
            os._exit(9)
        ingest_rows(lake, tenant, "DeviceProcessEvents", rows())
    """,
    "renaming": """
        real = Path.replace
        done = []
        def replace(self, target):
            if self.name.endswith(".parquet.writing"):
                if done:
                    os._exit(9)
                done.append(target)
            return real(self, target)
        Path.replace = replace
        ingest_rows(lake, tenant, "DeviceProcessEvents",
                    [{"Timestamp": f"2024-05-0{1 + i % 3}T00:00:00Z"} for i in range(30)])
    """,
}


@pytest.mark.parametrize("moment", sorted(_KILLED_WHILE))
def test_killed_process_leaves_nothing_after_recovery(
    lake: Lake, tenant_id: str, moment: str
) -> None:
    script = (
        "import os, sys\nfrom pathlib import Path\n"
        "from xdrlab.lake.ingest import ingest_rows\nfrom xdrlab.lake.store import Lake\n"
        "lake, tenant = Lake(Path(sys.argv[1])), sys.argv[2]\n"
        + textwrap.dedent(_KILLED_WHILE[moment])
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(lake.root), tenant_id], check=False, timeout=120
    )
    assert done.returncode == 9
    if moment == "renaming":
        assert len(visible_files(lake)) == 1  # the crash window: one of three files renamed
        assert recover_interrupted(lake) == 3  # one visible file and two staged ones
    else:
        assert visible_files(lake) == []
        assert lake.remove_abandoned_writes() > 0
    assert visible_files(lake) == [] and staged_files(lake) == []
    # The next ingestion recovers on its own and works.
    report = ingest_rows(lake, tenant_id, TABLE, _rows(10))
    assert report.committed and len(visible_files(lake)) == 3


def test_recovery_leaves_a_live_commit_alone(lake: Lake, tenant_id: str) -> None:
    import fcntl

    folder = lake.root / JOURNAL_FOLDER
    folder.mkdir(parents=True)
    journal = folder / "live.json"
    victim = lake.root / "x.parquet"
    victim.write_text("")
    journal.write_text('["x.parquet"]')
    with journal.open() as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        assert recover_interrupted(lake) == 0
        assert victim.exists()
    assert recover_interrupted(lake) == 1
    assert not victim.exists() and not journal.exists()
