"""The web dashboard and its JSON API: a thin shell over analyze and the store.

Read-only: the store is opened read-only and every query is parametrised. Every error, from a
bad parameter to a bug, answers with one envelope: {"error": {"status", "code", "message"}}.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import duckdb
from fastapi import Depends, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from .. import __version__, analyze
from ..errors import Errors, QueryError, StoreError
from ..store import Store
from .assets import NODE_MODULES, STATIC, VENDOR, missing_assets

MAX_ROWS = 1000  # events per API page
NOT_FOUND = {"E401", "E407"}  # query errors that mean "no such thing" (404) rather than 400


def check_assets() -> None:
    """Raise E406 unless the front-end libraries are installed."""
    missing = missing_assets()
    if missing:
        raise StoreError(Errors.E406.format(path=missing[0], prefix=NODE_MODULES.parent))


def create_app(store_path: Path) -> FastAPI:
    """The dashboard and API over the store at `store_path` (opened read-only)."""
    try:
        con = duckdb.connect(str(store_path), read_only=True)
    except duckdb.Error as e:
        raise StoreError(Errors.E002.format(path=store_path, reason=str(e).splitlines()[0])) from e
    app = FastAPI(
        title="westphalia", version=__version__, docs_url=None, redoc_url=None,
        description="Read-only API over a westphalia event store: events, dyads, the alignment network.",
    )  # fmt: skip

    app.state.con, app.state.store_path = con, store_path
    _errors(app)
    _routes(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _envelope(status: int, code: str, message: str, detail: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse({"error": jsonable_encoder(body)}, status_code=status)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(QueryError)
    async def query_error(request: Request, e: QueryError) -> JSONResponse:
        return _envelope(404 if e.code in NOT_FOUND else 400, e.code, e.message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in e.errors())
        return _envelope(422, "E422", f"Invalid request: {problems}", e.errors())

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, e: HTTPException) -> JSONResponse:
        return _envelope(e.status_code, f"HTTP{e.status_code}", str(e.detail))

    @app.exception_handler(Exception)
    async def internal(request: Request, e: Exception) -> JSONResponse:
        return _envelope(500, "E901", f"Internal error: {type(e).__name__}: {e}. Please report it.")


def _store(request: Request) -> Iterator[Store]:
    cursor = (
        request.app.state.con.cursor()
    )  # one cursor per request: connections are not thread-safe
    try:
        yield Store(cursor, request.app.state.store_path)
    finally:
        cursor.close()


Db = Annotated[Store, Depends(_store)]
Day = Annotated[date | None, Query(description="YYYY-MM-DD")]
Code = Annotated[
    str | None, Query(pattern=r"^[A-Za-z-]{1,12}$", description="Actor code or prefix")
]


def _routes(app: FastAPI) -> None:

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/vendor/{name}", include_in_schema=False)
    def vendor(name: str) -> FileResponse:
        if name not in VENDOR or not VENDOR[name].is_file():
            raise HTTPException(
                404, f"No front-end library {name}; run npm ci --prefix {NODE_MODULES.parent}"
            )
        return FileResponse(VENDOR[name], media_type="text/javascript")

    @app.get("/api/health", tags=["store"])
    def health(s: Db) -> dict[str, Any]:
        """Liveness, and what the store holds."""
        return {"status": "ok", "store": str(s.path), "version": __version__, **s.counts(),
                "events": s.query("SELECT count(*) AS n FROM events")[0]["n"]}  # fmt: skip

    @app.get("/api/network", tags=["analysis"])
    def network(s: Db, start: Day = None, end: Day = None) -> dict[str, Any]:
        """Nodes, signed edges (net Goldstein), triads with structural balance, blocs."""
        return jsonable_encoder(analyze.network(s, start=start, end=end).as_dict())

    @app.get("/api/dyads/{a}/{b}", tags=["analysis"])
    def dyad(s: Db, a: str, b: str, start: Day = None, end: Day = None) -> dict[str, Any]:
        """The dyad report with every event of the dyad (`all_events`)."""
        report = analyze.dyad_report(s, a.upper(), b.upper(), start=start, end=end)
        return jsonable_encoder(report.as_dict(with_events=True))

    @app.get("/api/events", tags=["events"])
    def events(
        s: Db, actor: Code = None, source: Code = None, target: Code = None,
        code: Annotated[str | None, Query(pattern=r"^\d{2,4}$")] = None,
        root: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
        domain: str | None = None, start: Day = None, end: Day = None,
        q: Annotated[str | None, Query(description="Words in the evidence sentence")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 200, offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:  # fmt: skip
        """Events by actor (either side), source, target, CAMEO code or root, domain and date."""
        analyze.check_window(start, end)
        rows = analyze.events(
            s, actor=actor, source=source, target=target, code=code, root=root, domain=domain,
            start=start, end=end, words=q, limit=limit, offset=offset,
        )  # fmt: skip
        return {"events": jsonable_encoder(rows), "limit": limit, "offset": offset}

    @app.get("/api/events/{event_id}", tags=["events"])
    def event(s: Db, event_id: str) -> dict[str, Any]:
        """One event (id or unique prefix) with its evidence."""
        row = s.event(event_id)
        if row is None:
            raise QueryError("E407", what="event", id=event_id)
        return jsonable_encoder(row)

    @app.get("/api/articles/{article_id}", tags=["store"])
    def article(s: Db, article_id: str) -> dict[str, Any]:
        """An article's text with the character spans of its events and actor mentions."""
        found = analyze.article(s, article_id)
        if found is None:
            raise QueryError("E407", what="article", id=article_id)
        return jsonable_encoder(found)

    @app.get("/api/actors", tags=["store"])
    def actors(s: Db, q: str | None = None) -> dict[str, Any]:
        """Actors with mention counts; `q` filters by code prefix or name."""
        rows = s.actors()
        if q:
            needle = q.lower()
            rows = [
                r
                for r in rows
                if r["code"].lower().startswith(needle) or needle in r["name"].lower()
            ]
        return {"actors": jsonable_encoder(rows)}

    @app.get("/api/domains", tags=["analysis"])
    def domain_list() -> dict[str, Any]:
        """The policy domains events are tagged with."""
        return {
            "domains": [{"domain": d.key, "label": d.label} for d in analyze.domains().values()]
        }
