"""The operations, as flows shared by the sync and async clients: hunting, incidents (list with
paging, get, update) and alerts, on whichever surface the client was given."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from xdrlab.sdk._errors import ApiError
from xdrlab.sdk._filters import Condition, render_filter
from xdrlab.sdk._hunting import HuntingResult, Timespan, parse_result
from xdrlab.sdk._models import Alert, Incident, Surface
from xdrlab.sdk._runner import Flow
from xdrlab.sdk._surfaces import Changes, DefenderSurface, GraphSurface, SurfaceSpec
from xdrlab.sdk._transport import HUNTING_TIMEOUT, Pipeline

T = TypeVar("T")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Paging(Generic[T]):
    """Where the next page is: `@odata.nextLink` when the service gives one; on the Defender API,
    which may leave it out, `$skip` forward after a full page. Stops at `limit` items. A next link
    to another host is refused, so the bearer token never leaves the configured endpoints."""

    def __init__(
        self,
        url: str,
        params: dict[str, str],
        *,
        operation: str,
        page_size: int,
        limit: int | None,
        items: Callable[[Mapping[str, Any]], list[T]],
        skip_fallback: bool,
    ) -> None:
        self.operation = operation
        self._next: tuple[str, dict[str, str] | None] | None = (url, params)
        self._base = (url, params)
        self._page_size = page_size
        self._skip = 0
        self._remaining = limit
        self._items = items
        self._skip_fallback = skip_fallback

    def next_request(self) -> tuple[str, dict[str, str] | None] | None:
        if self._remaining is not None and self._remaining <= 0:
            return None
        return self._next

    def accept(self, body: Any) -> list[T]:
        if not isinstance(body, dict):
            raise ApiError("a list answer without a JSON object")
        values = body.get("value") or []
        self._skip += len(values)
        link = body.get("@odata.nextLink")
        url = self._base[0]
        if isinstance(link, str) and link:
            if _origin(link) != _origin(url):
                raise ApiError(f"refusing to follow @odata.nextLink to another host: {link}")
            self._next = (link, None)
        elif self._skip_fallback and values and len(values) >= self._page_size:
            self._next = (url, {**self._base[1], "$skip": str(self._skip)})
        else:
            self._next = None
        items: list[T] = []
        for value in values:
            items.extend(self._items(value))
        if self._remaining is not None:
            items = items[: self._remaining]
            self._remaining -= len(items)
        return items


class Operations:
    def __init__(self, pipeline: Pipeline, spec: SurfaceSpec) -> None:
        self.pipeline = pipeline
        self.spec = spec

    def _call(self, operation: str, method: str, url: str, **kwargs: Any) -> Flow[Any]:
        spec = self.spec
        return (
            yield from self.pipeline.call(
                spec.surface.value, operation, spec.scope, method, url, **kwargs
            )
        )

    # -- hunting -------------------------------------------------------------------------------

    def hunt(self, query: str, timespan: Timespan | None) -> Flow[HuntingResult]:
        url, body = self.spec.hunting_request(query, timespan)
        answer = yield from self._call(
            "hunting", "POST", url, json=body, timeout=HUNTING_TIMEOUT, hunting=True
        )
        return parse_result(answer or {}, query)

    # -- incidents -----------------------------------------------------------------------------

    def incidents(
        self,
        where: Condition | str | None,
        page_size: int | None,
        limit: int | None,
        expand_alerts: bool,
    ) -> Paging[Incident]:
        spec = self.spec
        size = min(page_size or spec.max_page_size, spec.max_page_size)
        params = spec.list_params(render_filter(where, spec.spelling("incident")), size)
        if expand_alerts and isinstance(spec, GraphSurface):
            params["$expand"] = "alerts"
        return Paging(
            spec.incidents_url(),
            params,
            operation="incidents.list",
            page_size=size,
            limit=limit,
            items=lambda value: [spec.incident(value)],
            skip_fallback=spec.surface is Surface.DEFENDER,
        )

    def page(self, paging: Paging[T]) -> Flow[list[T] | None]:
        request = paging.next_request()
        if request is None:
            return None
        url, params = request
        body = yield from self._call(paging.operation, "GET", url, params=params)
        return paging.accept(body)

    def get_incident(self, incident_id: int) -> Flow[Incident]:
        params = {"$expand": "alerts"} if isinstance(self.spec, GraphSurface) else None
        body = yield from self._call(
            "incidents.get", "GET", self.spec.incidents_url(incident_id), params=params
        )
        return self.spec.incident(body)

    def update_incident(self, incident_id: int, changes: Changes) -> Flow[Incident]:
        spec = self.spec
        body = spec.update_body(changes)
        if isinstance(spec, GraphSurface) and changes.comment is not None:
            # Graph takes comments on their own collection, not in the PATCH.
            yield from self._call(
                "incidents.update",
                "POST",
                spec.comments_url(incident_id),
                json={
                    "@odata.type": "microsoft.graph.security.alertComment",
                    "comment": changes.comment,
                },
            )
            if not body:
                return (yield from self.get_incident(incident_id))
        answer = yield from self._call(
            "incidents.update", "PATCH", spec.incidents_url(incident_id), json=body
        )
        return spec.incident(answer)

    # -- alerts --------------------------------------------------------------------------------

    def alerts(
        self, where: Condition | str | None, page_size: int | None, limit: int | None
    ) -> Paging[Alert]:
        spec = self.spec
        if isinstance(spec, DefenderSurface):
            # The Defender API has no alert list: alerts come inside their incidents.
            if where is not None:
                raise ValueError(
                    "the Defender API cannot filter alerts: filter incidents, or use the Graph "
                    "surface"
                )
            size = min(page_size or spec.max_page_size, spec.max_page_size)
            return Paging(
                spec.incidents_url(),
                spec.list_params(None, size),
                operation="incidents.list",
                page_size=size,
                limit=limit,
                items=lambda value: spec.incident(value).alerts,
                skip_fallback=True,
            )
        assert isinstance(spec, GraphSurface)
        size = min(page_size or spec.alerts_max_page_size, spec.alerts_max_page_size)
        return Paging(
            spec.alerts_url(),
            spec.list_params(render_filter(where, spec.spelling("alert")), size),
            operation="alerts.list",
            page_size=size,
            limit=limit,
            items=lambda value: [spec.alert(value)],
            skip_fallback=False,
        )

    def get_alert(self, alert_id: str) -> Flow[Alert]:
        spec = self.spec
        if not isinstance(spec, GraphSurface):
            raise ValueError("the Defender API has no alert lookup; use the Graph surface")
        body = yield from self._call("alerts.get", "GET", spec.alerts_url(alert_id))
        return spec.alert(body)
