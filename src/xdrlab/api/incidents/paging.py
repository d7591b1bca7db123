"""OData list options (`$filter`, `$top`, `$skip`) turned into one page request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from starlette.requests import Request

from xdrlab.api.errors import ApiError, Surface, surface_of
from xdrlab.api.odata import (
    FilterField,
    ODataError,
    filter_to_sqlalchemy,
    next_link,
    parse_filter,
    parse_skip,
    parse_top,
)


@dataclass(frozen=True)
class Page:
    condition: ColumnElement[bool] | None
    top: int
    skip: int

    def next_link(self, request: Request) -> str:
        base = str(request.url.replace(query=""))
        return next_link(base, dict(request.query_params), self.skip + self.top)


def read_page(
    request: Request,
    filter_text: str | None,
    top: str | None,
    skip: str | None,
    fields: Mapping[str, FilterField],
    default_top: int,
    max_top: int,
) -> Page:
    try:
        condition = filter_to_sqlalchemy(parse_filter(filter_text), fields) if filter_text else None
        return Page(
            condition,
            parse_top(top, default=default_top, maximum=max_top),
            parse_skip(skip),
        )
    except ODataError as error:
        code = "BadRequest" if surface_of(request) is Surface.GRAPH else "ODataError"
        raise ApiError(400, code, str(error)) from None
