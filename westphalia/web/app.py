"""The web dashboard and its JSON API: a thin shell over queries and analyze.

Read-only: the store is opened read-only (no file, network or extension access either) and every
query is parametrised. It answers only to the host names it is served under (a DNS-rebinding page
gets E409) and sends a Content-Security-Policy that allows no inline script. Every error, from a
bad parameter to a bug, answers with one envelope: {"error": {"status", "code", "message"}}.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__, analyze, queries
from ..errors import Errors, FatalError, QueryError
from ..store import Store, open_existing
from .assets import NODE_MODULES, STATIC, VENDOR, missing_assets

MAX_ROWS = 1000  # events per API page
MAX_OFFSET = (
    10**9
)  # a billion events, past any store; DuckDB's OFFSET is a BIGINT (2**63: HTTP 500)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")  # always answered, whatever --host binds
MAX_HOST_CHARS = 100  # of a refused Host header echoed in E409
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
NOT_FOUND = {"E401", "E407"}  # query errors that mean "no such thing" (404) rather than 400


def check_assets() -> None:
    """Raise E406 unless the front-end libraries are installed."""
    missing = missing_assets()
    if missing:
        raise FatalError("E406", path=missing[0], prefix=NODE_MODULES.parent)


def create_app(store_path: Path, *, hosts: Iterable[str] = ()) -> FastAPI:
    """The dashboard and API over the store at `store_path` (opened read-only), answering to the
    host names in LOCAL_HOSTS and `hosts` (the address it is bound to, and any other names)."""
    store = open_existing(store_path)
    app = FastAPI(
        title="westphalia",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        description="Read-only API over a westphalia event store: events, dyads, the alignment network.",
    )

    app.state.con, app.state.store_path = store.con, store_path
    _errors(app)
    _routes(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(_Guard, hosts=[*LOCAL_HOSTS, *hosts])
    return app


class _Guard:
    """Refuses requests whose Host header is not an allowed name (DNS rebinding: a page on
    evil.example re-pointed at 127.0.0.1 sends Host: evil.example) and adds SECURITY_HEADERS
    to every response."""

    def __init__(self, app: ASGIApp, *, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = {_host_name(h) for h in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(SECURITY_HEADERS)
            await send(message)

        host = _host_name(Headers(scope=scope).get("host", ""))
        if host in self.hosts:
            await self.app(scope, receive, send_secured)
            return
        allowed = ", ".join(sorted(self.hosts))
        message = Errors.E409.format(host=host[:MAX_HOST_CHARS], allowed=allowed)
        await _envelope(400, "E409", message)(scope, receive, send_secured)


def _host_name(header: str) -> str:
    """'[::1]:8000' -> '::1', 'LocalHost:80' -> 'localhost', 'example.org.' -> 'example.org'."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    name = header.rsplit(":", 1)[0] if header.count(":") == 1 else header
    return name.rstrip(".")


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
        return _envelope(422, "E422", Errors.E422.format(problems=problems), e.errors())

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
        kind = "application/json" if name.endswith(".json") else "text/javascript"
        return FileResponse(VENDOR[name], media_type=kind)

    @app.get("/api/health", tags=["store"])
    def health(s: Db) -> dict[str, Any]:
        """Liveness, and what the store holds."""
        return {"status": "ok", "store": s.path.name, "version": __version__, **queries.counts(s)}

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
        s: Db,
        actor: Code = None,
        source: Code = None,
        target: Code = None,
        code: Annotated[str | None, Query(pattern=r"^\d{2,4}$")] = None,
        root: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
        domain: str | None = None,
        start: Day = None,
        end: Day = None,
        q: Annotated[str | None, Query(description="Words in the evidence sentence")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 200,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> dict[str, Any]:
        """Events by actor (either side), source, target, CAMEO code or root, domain and date."""
        where = queries.EventFilter(
            actor=actor,
            source=source,
            target=target,
            code=code,
            root=root,
            domain=domain,
            start=start,
            end=end,
            words=q,
        )
        rows = [e.as_dict() for e in queries.events(s, where, limit=limit, offset=offset)]
        return {"events": jsonable_encoder(rows), "limit": limit, "offset": offset}

    @app.get("/api/map", tags=["analysis"])
    def event_map(
        s: Db,
        actor: Code = None,
        code: Annotated[str | None, Query(pattern=r"^\d{2,4}$")] = None,
        domain: str | None = None,
        start: Day = None,
        end: Day = None,
        q: Annotated[str | None, Query(description="Words in the evidence sentence")] = None,
    ) -> dict[str, Any]:
        """Events by country of their actors (`countries`: ISO alpha-3 and numeric codes, events,
        net Goldstein) and by point of their location (`places`: GeoNames id, coordinates)."""
        where = queries.EventFilter(
            actor=actor, code=code, domain=domain, start=start, end=end, words=q
        )
        countries, places = queries.map_counts(s, where)
        return {
            "countries": [c.as_dict() for c in countries],
            "places": [p.as_dict() for p in places],
        }

    @app.get("/api/events/{event_id}", tags=["events"])
    def event(s: Db, event_id: str) -> dict[str, Any]:
        """One event (id or unique prefix) with its evidence."""
        row = queries.event(s, event_id)
        if row is None:
            raise QueryError("E407", what="event", id=event_id)
        return jsonable_encoder(row.as_dict())

    @app.get("/api/articles/{article_id}", tags=["store"])
    def article(s: Db, article_id: str) -> dict[str, Any]:
        """An article's text with the character spans of its events and actor mentions."""
        found = queries.article(s, article_id)
        if found is None:
            raise QueryError("E407", what="article", id=article_id)
        body = {**found.as_dict(), "source": Path(found.source).name}  # no server paths
        return jsonable_encoder(body)

    @app.get("/api/actors", tags=["store"])
    def actors(s: Db, q: str | None = None) -> dict[str, Any]:
        """Actors with mention counts; `q` filters by code prefix or name."""
        rows = [a.as_dict() for a in queries.actors(s, like=q)]
        return {"actors": jsonable_encoder(rows)}

    @app.get("/api/domains", tags=["analysis"])
    def domain_list() -> dict[str, Any]:
        """The policy domains events are tagged with."""
        return {
            "domains": [{"domain": d.key, "label": d.label} for d in queries.domains().values()]
        }
