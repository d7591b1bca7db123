"""The KQL compiler: syntax, binding, lowering to sqlglot trees."""

from xdrlab.kql.compiled import CompiledQuery, RenderHint
from xdrlab.kql.compiler import compile_query
from xdrlab.kql.diagnostics import Diagnostic, KqlError
from xdrlab.kql.explain import explain, render_sql

__all__ = [
    "CompiledQuery",
    "Diagnostic",
    "KqlError",
    "RenderHint",
    "compile_query",
    "explain",
    "render_sql",
]
