"""The function catalogue: declarative entries, the generated docs page in step with the
registries, and every function the public corpus calls either supported or refused by name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlglot import exp

from tests.kql.conftest import Lake
from xdrlab.kql import KqlError
from xdrlab.kql.catalogue_doc import REGENERATE, render
from xdrlab.kql.diagnostics import UNSUPPORTED_FEATURE, UNSUPPORTED_FUNCTION
from xdrlab.kql.functions.registry import (
    FUNCTIONS,
    KIND_TYPES,
    KNOWN_KQL_FUNCTIONS,
    MULTI_RESULT,
    TUPLE_AGGREGATES,
    FunctionSpec,
    parenthesize,
    parse_signature,
)
from xdrlab.lake.schema import KustoType

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "kql-functions.md"
CORPUS = Path(__file__).parent / "corpus" / "hunting-queries.jsonl"


def test_docs_page_is_generated_from_the_registries() -> None:
    expected = render()
    committed = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert committed == expected, (
        f"{DOC.relative_to(ROOT)} is out of date with the function/operator registries; "
        f"regenerate it with `{REGENERATE}` (from the repository root, with the project's "
        "virtualenv) and commit the result"
    )


def _specs() -> list[FunctionSpec]:
    seen: dict[str, FunctionSpec] = {}
    for spec in FUNCTIONS.values():
        seen.setdefault(spec.canonical, spec)
    return list(seen.values())


@pytest.mark.parametrize("spec", _specs(), ids=lambda s: s.canonical)
def test_every_entry_is_declared(spec: FunctionSpec) -> None:
    assert spec.description and spec.description.endswith("."), spec.canonical
    assert spec.returns, spec.canonical
    assert spec.signature.startswith(f"{spec.canonical}(")
    assert spec.names[0] == spec.canonical
    for alias in spec.names:
        other = FUNCTIONS[alias]
        assert (other.params, other.returns, other.min_args, other.max_args) == (
            spec.params,
            spec.returns,
            spec.min_args,
            spec.max_args,
        )
    for param in spec.params:
        assert all(kind in KIND_TYPES for kind in param.kinds)
    required = sum(1 for p in spec.params if not p.optional)
    assert spec.min_args >= required or spec.shown is not None
    if spec.max_args is not None:
        assert spec.max_args >= spec.min_args


def test_signature_syntax() -> None:
    params = parse_signature("source: string, [index: const long], value: real|datetime...")
    assert [str(p) for p in params] == [
        "source: string",
        "[index: const long]",
        "value: real|datetime, ...",
    ]
    pair = parse_signature("key: string, value: scalar, ...")
    assert all(p.group for p in pair)
    with pytest.raises(ValueError, match="unknown kind"):
        parse_signature("x: text")
    with pytest.raises(ValueError, match="bad parameter"):
        parse_signature("[x: string")


# Sample arguments of each kind, to call every function once.
SAMPLES: dict[str, str] = {
    "string": '"10.1.2.3"',
    "long": "2",
    "real": "2.5",
    "bool": "true",
    "datetime": "datetime(2024-03-05 06:07:08)",
    "timespan": "1h",
    "dynamic": 'dynamic(["a", "b"])',
    "scalar": '"a"',
}
# Constant arguments some functions need a particular value for.
WINDOW = {"row_number", "prev", "next"}
SPECIAL: dict[str, list[str]] = {
    "datetime_add": ['"day"', "1", "datetime(2024-01-01)"],
    "datetime_diff": ['"day"', "datetime(2024-01-02)", "datetime(2024-01-01)"],
    "datetime_part": ['"hour"', "datetime(2024-01-01 05:00)"],
    "extract": ['"(a)"', "1", '"abc"'],
    "extract_all": ['"(a)"', '"abab"'],
    "format_datetime": ["datetime(2024-01-01)", '"yyyy-MM-dd"'],
    "format_timespan": ["1h", '"hh:mm"'],
    "countof": ['"aa"', '"a"'],
    "case": ["true", '"a"', '"b"'],
    "bag_pack": ['"k"', "1"],
    "pack_all": [],
    "bin_at": ["5", "2", "1"],
    "percentile": ["OSBuild", "50"],
    "percentiles_array": ["OSBuild", "50"],
    "make_bag": ["dynamic({})"],
    "make_bag_if": ["dynamic({})", "true"],
    "tohex": ["255"],
    "strrep": ['"a"', "2"],
    "unicode_codepoints_to_string": ["104"],
    "range": ["1", "3"],
    "array_slice": ["dynamic([1, 2, 3])", "0", "1"],
    "now": [],
    "parse_command_line": ['"a b"', '"windows"'],
    "series_decompose_anomalies": ["dynamic([1, 2, 3])"],
}
KUSTO_TYPES = {t.value for t in KustoType}


def _sample_call(spec: FunctionSpec) -> str:
    name = spec.canonical
    if name in SPECIAL:
        args = SPECIAL[name]
    else:
        args = []
        for i in range(max(spec.min_args, 1 if spec.params else 0)):
            param = spec.params[min(i, len(spec.params) - 1)]
            args.append(SAMPLES[param.kinds[0]])
    return f"{name}({', '.join(args)})"


@pytest.mark.parametrize("spec", _specs(), ids=lambda s: s.canonical)
def test_every_function_runs_and_returns_its_declared_type(lake: Lake, spec: FunctionSpec) -> None:
    """One call per function with sample arguments: it compiles, DuckDB runs it, and a
    declared concrete result type is the compiled column's type."""
    lake.insert("DeviceInfo", [{"DeviceName": "pc", "OSBuild": 7}])
    call = _sample_call(spec)
    if spec.aggregate:
        query = f"DeviceInfo | summarize x = {call}"
    elif spec.canonical in WINDOW:  # needs serialized input
        query = f"DeviceInfo | serialize | project x = {call}"
    elif spec.canonical in MULTI_RESULT:  # several columns: `extend (x, ...) = f(...)`
        query = f"DeviceInfo | extend (x) = {call} | project x"
    else:
        query = f"DeviceInfo | project x = {call}"
    r = lake.run(query)
    assert len(r.rows) == 1
    if spec.returns in KUSTO_TYPES:
        assert r.compiled.columns[0].type.value == spec.returns, call


# Words followed by '(' in the corpus that are not scalar function calls: operators and their
# keywords, type literals, join kinds, tabular functions handled by the parser.
NOT_FUNCTIONS = {
    "and", "or", "in", "between", "has_any", "has_all", "has", "contains", "where", "join",
    "extend", "summarize", "union", "with", "datetime", "dynamic", "true", "typeof",
    "inner", "leftouter", "leftanti", "leftsemi", "rightsemi", "fullouter", "bag_unpack",
    "pivot", "decode", "b64decode", "decode64", "if", "p", "exploitation", "vulnerability",
    "attack", "subsystem", "processes",
}  # fmt: skip
# Tabular functions the parser recognises (refused as unsupported features, not functions).
TABULAR = {"materialize", "toscalar", "view", "datatable", "externaldata"}


def _corpus_calls() -> dict[str, set[str]]:
    """Function names called in the corpus, each with the ids of the queries calling it;
    names of the query's own `let` functions are left out."""
    calls: dict[str, set[str]] = {}
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        text = re.sub(r"//[^\n]*", "", q["query"])
        text = re.sub(r"@?\"(?:[^\"\\\n]|\\.)*\"|@?'(?:[^'\\\n]|\\.)*'", '""', text)
        own = set(re.findall(r"\blet\s+([A-Za-z_]\w*)\s*=", text))
        own |= set(re.findall(r"\|\s*invoke\s+([A-Za-z_]\w*)", text))
        for name in re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(", text):
            if name in own or name in NOT_FUNCTIONS or name[0].isupper():
                continue
            calls.setdefault(name, set()).add(q["id"])
    return calls


def test_every_corpus_function_is_supported_or_refused_by_name(lake: Lake) -> None:
    calls = _corpus_calls()
    assert len(calls) > 50
    unsupported: dict[str, str] = {}
    for name in sorted(calls):
        if name in FUNCTIONS or name in TUPLE_AGGREGATES:
            continue
        assert name in KNOWN_KQL_FUNCTIONS, f"'{name}' (queries {sorted(calls[name])}) is unknown"
        if name in TABULAR:  # `let v = view() {...}`, `toscalar(T | ...)`: the parser's
            unsupported[name] = UNSUPPORTED_FEATURE
            continue
        with pytest.raises(KqlError) as caught:
            lake.compile(f"DeviceInfo | extend x = {name}()")
        d = caught.value.diagnostic
        assert d.code == UNSUPPORTED_FUNCTION, d
        assert d.message == f"The function '{name}' is not supported yet"
        assert (d.line, d.column) == (1, 25)
        unsupported[name] = d.code
    # what the corpus still needs (update when one becomes supported)
    assert set(unsupported) <= {
        "ingestion_time",
        "next",
        "parse_xml",
        "prev",
        "row_number",
        "series_decompose_anomalies",
        *TABULAR,
    }, unsupported


def test_results_are_parenthesized_as_built() -> None:
    a = exp.column("a")
    built = exp.Mod(
        this=exp.Add(this=a, expression=exp.Literal.number(1)), expression=exp.Literal.number(12)
    )
    assert built.sql("duckdb") == "a + 1 % 12"  # what sqlglot prints for the tree as built
    assert parenthesize(built).sql("duckdb") == "(a + 1) % 12"
    like = exp.Escape(
        this=exp.Like(this=exp.column("b"), expression=exp.Literal.string("x!%")),
        expression=exp.Literal.string("!"),
    )
    assert parenthesize(like.copy()).sql("duckdb") == like.sql("duckdb")
