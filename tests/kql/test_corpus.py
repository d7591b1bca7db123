"""Every public hunting query either compiles or is refused with a KqlError (never a crash)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from tests.kql.conftest import NOW
from xdrlab.kql import KqlError, compile_query
from xdrlab.kql.diagnostics import INTERNAL_ERROR
from xdrlab.lake.schema import hunting_tables

# The public hunting-query corpus (MIT; provenance in corpus/README.md), kept verbatim.
CORPUS = Path(
    os.environ.get("XDRLAB_KQL_CORPUS", Path(__file__).parent / "corpus" / "hunting-queries.jsonl")
)


def test_corpus_compiles_or_is_refused_cleanly() -> None:
    tables = hunting_tables()
    compiled = 0
    refused: Counter[str] = Counter()
    internal: list[str] = []
    with CORPUS.open(encoding="utf-8") as f:
        queries = [json.loads(line) for line in f if line.strip()]
    for q in queries:
        try:
            compile_query(q["query"], tables, now=NOW)
        except KqlError as e:
            refused[e.diagnostic.code] += 1
            if e.diagnostic.code == INTERNAL_ERROR:
                internal.append(q["id"])
        else:
            compiled += 1
    print(
        f"\ncorpus: {len(queries)} queries, {compiled} compiled, refused by code: {dict(refused)}"
    )
    assert compiled + sum(refused.values()) == len(queries)
    assert not internal, f"internal errors on {internal}"
