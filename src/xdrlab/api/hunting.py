"""Advanced hunting on every surface: `POST /api/advancedhunting/run` (Defender XDR: `Stats`,
`Schema`, `Results`), `POST /api/advancedqueries/run` (Defender for Endpoint: `Schema`,
`Results`; its own tokens and permission) and `POST /v1.0/security/runHuntingQuery` (Graph:
`schema`, `results`).

Each compiles the KQL for the caller's tenant only and runs it on the embedded engine with the
production limits (rows, time, 30 days of data). Queries run in the server's thread pool.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from fastapi import APIRouter, Depends
from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from xdrlab.api.auth import Caller
from xdrlab.api.errors import DEFENDER_ERRORS, GRAPH_ERRORS, ApiError, Surface
from xdrlab.api.guard import (
    DEFENDER_HUNTING,
    ENDPOINT_HUNTING,
    GRAPH_HUNTING,
    api_context,
    guard,
)
from xdrlab.engine import HuntingResult, HuntingWindow, run_hunting_query
from xdrlab.engine.errors import HuntingError, UnexpectedError
from xdrlab.engine.results import format_timespan
from xdrlab.identity.catalogue import WINDOWS_DEFENDER_ATP
from xdrlab.kql.diagnostics import KqlError
from xdrlab.lake.store import naive_utc

defender_router = APIRouter(tags=["Advanced hunting (Defender API)"], responses=DEFENDER_ERRORS)
graph_router = APIRouter(tags=["Advanced hunting (Graph security API)"], responses=GRAPH_ERRORS)
endpoint_router = APIRouter(
    tags=["Advanced hunting (Defender for Endpoint API)"], responses=DEFENDER_ERRORS
)

GRAPH_CONTEXT = "$metadata#microsoft.graph.security.huntingQueryResults"


class HuntingRequest(BaseModel):
    """The Defender API body; property names are case-sensitive, as production documents."""

    Query: str = Field(description="The KQL query.", min_length=1)


class GraphHuntingRequest(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    query: str = Field(
        min_length=1,
        validation_alias=AliasChoices("Query", "query"),
        description="The KQL query.",
    )
    timespan: str | None = Field(
        default=None,
        validation_alias=AliasChoices("Timespan", "timespan"),
        description="ISO 8601 interval or duration limiting the data (at most the last 30 days).",
    )


def _run(request: Request, caller: Caller, query: str, timespan: str | None) -> HuntingResult:
    api = api_context(request)
    settings = api.settings
    now = naive_utc(api.clock.now())
    try:
        window = HuntingWindow.parse(
            timespan, now=now, lookback=dt.timedelta(days=settings.hunting_lookback_days)
        )
        return run_hunting_query(
            api.lake,
            caller.tenant_id,
            query,
            now=now,
            window=window,
            row_limit=settings.hunting_row_limit,
            timeout_seconds=settings.hunting_timeout_seconds,
            engine=settings.hunting_engine,
            spark_master=settings.spark_master,
        )
    except KqlError as error:
        raise ApiError(400, "BadRequest", str(error.diagnostic)) from None
    except UnexpectedError as error:
        raise ApiError(500, "InternalServerError", error.message) from None
    except HuntingError as error:
        raise ApiError(400, "BadRequest", error.message) from None


def _stats(result: HuntingResult) -> dict[str, Any]:
    """The `Stats` object; the engine's own figures where production reports Kusto's."""
    stats = result.stats
    usage: dict[str, Any] = {}
    if stats.cpu_seconds is not None:
        usage["cpu"] = {"total cpu": format_timespan(round(stats.cpu_seconds * 10_000_000))}
    if stats.peak_memory_bytes is not None:
        usage["memory"] = {"peak_per_node": stats.peak_memory_bytes}
    return {
        "ExecutionTime": round(stats.elapsed_seconds, 6),
        "resource_usage": usage,
        "dataset_statistics": [
            {
                "table_row_count": result.num_rows,
                "table_size": stats.result_bytes,
                "dataset_truncation": stats.truncated,
            }
        ],
    }


def _json(body: dict[str, Any]) -> Response:
    # Results can hold 100,000 rows: serialise them directly (no per-value framework encoding).
    return Response(orjson.dumps(body), media_type="application/json")


@defender_router.post(
    "/api/advancedhunting/run",
    summary="Run an advanced hunting query",
    response_class=JSONResponse,
    responses={200: {"description": "`Stats`, `Schema` and `Results` of the query."}},
)
def run_defender(
    request: Request,
    body: HuntingRequest,
    caller: Caller = Depends(guard("hunting", DEFENDER_HUNTING, Surface.DEFENDER)),
) -> Response:
    result = _run(request, caller, body.Query, None)
    return _json(
        {"Stats": _stats(result), "Schema": result.schema_json(), "Results": result.json_rows()}
    )


@endpoint_router.post(
    "/api/advancedqueries/run",
    summary="Run an advanced query (Defender for Endpoint)",
    response_class=JSONResponse,
    responses={200: {"description": "`Schema` and `Results` of the query."}},
)
def run_endpoint(
    request: Request,
    body: HuntingRequest,
    caller: Caller = Depends(
        guard("advancedqueries", ENDPOINT_HUNTING, Surface.DEFENDER, WINDOWS_DEFENDER_ATP)
    ),
) -> Response:
    """Defender for Endpoint's path, the one msticpy's MDE and M365D providers call. It takes
    tokens for `https://api.securitycenter.microsoft.com` with `AdvancedQuery.Read.All` (or the
    delegated `AdvancedQuery.Read`) and answers `Schema` and `Results`, as its documentation
    shows; the query runs on the same engine as the other surfaces."""
    result = _run(request, caller, body.Query, None)
    return _json({"Schema": result.schema_json(), "Results": result.json_rows()})


@graph_router.post(
    "/security/runHuntingQuery",
    summary="Run a hunting query",
    response_class=JSONResponse,
    responses={200: {"description": "`schema` and `results` of the query."}},
)
def run_graph(
    request: Request,
    body: GraphHuntingRequest,
    caller: Caller = Depends(guard("hunting", GRAPH_HUNTING, Surface.GRAPH)),
) -> Response:
    result = _run(request, caller, body.query, body.timespan)
    version = request.url.path.split("/")[1]
    return _json(
        {
            "@odata.context": f"{request.base_url}{version}/{GRAPH_CONTEXT}",
            "schema": [{"name": c.name, "type": c.type.api_name} for c in result.columns],
            "results": result.json_rows(),
        }
    )
