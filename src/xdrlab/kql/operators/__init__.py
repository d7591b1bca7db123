"""Tabular operators, one module each; importing this package registers them all."""

from xdrlab.kql.operators import (  # noqa: F401  (imported for their registrations)
    count,
    datatable,
    distinct,
    evaluate,
    extend,
    find,
    getschema,
    invoke,
    join,
    make_series,
    materialize,
    mv_apply,
    mv_expand,
    parse,
    partition,
    print_source,
    project,
    project_away,
    project_rename,
    project_reorder,
    range_source,
    render,
    serialize,
    sort,
    summarize,
    take,
    top,
    top_nested,
    union,
    where,
)
from xdrlab.kql.operators.registry import LOWERERS, PARSERS, SOURCE_LOWERERS, SOURCE_PARSERS

__all__ = ["LOWERERS", "PARSERS", "SOURCE_LOWERERS", "SOURCE_PARSERS"]
