"""OData query options for the incident and alert lists.

``$filter`` text -> `parse_filter` -> syntax tree (`ast`) -> `filter_to_sqlalchemy` with an
allow-list of `FilterField` -> a SQLAlchemy WHERE clause with bound parameters. ``$top``,
``$skip`` and ``$count`` are read by `options`. Every refusal is an `ODataError`, whose message
is the Defender API's ``Invalid OData URI query <specific error>``.
"""

from __future__ import annotations

from xdrlab.api.odata.ast import FilterNode, to_odata
from xdrlab.api.odata.errors import ODataError
from xdrlab.api.odata.fields import FieldKind, FilterField
from xdrlab.api.odata.options import check_options, next_link, parse_count, parse_skip, parse_top
from xdrlab.api.odata.parser import parse_filter
from xdrlab.api.odata.to_sqlalchemy import filter_to_sqlalchemy

__all__ = [
    "FieldKind",
    "FilterField",
    "FilterNode",
    "ODataError",
    "check_options",
    "filter_to_sqlalchemy",
    "next_link",
    "parse_count",
    "parse_filter",
    "parse_skip",
    "parse_top",
    "to_odata",
]
