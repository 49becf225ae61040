"""The operator page on the Rasa server's own port, mounted like a channel (credentials.yml).

Routes (relative to wherever a reverse proxy mounts the server):
- `GET /operator/`                 the page (`/operator` redirects here, so relative links work)
- `GET /operator/data.json`        its figures: `?from=YYYY-MM-DD&to=YYYY-MM-DD` (UTC days, default:
                                   the last 30 days); 400 with a message for a bad period
- `GET /operator/<table>.csv`      one table in full (summary.TABLES), same period parameters
- `GET /operator/static/<file>`    the page's script, style and the vendored Chart.js

Off (404 everywhere) unless OPERATOR_TOKEN is set. With it, every route needs HTTP Basic auth whose
password is the token (any user name; the browser asks once and sends it with the CSV links too) or
`Authorization: Bearer <token>`; anything else gets 401. The responses carry no CORS headers, even
when Rasa runs with `--cors` or a site is in WEBCHAT_ALLOWED_ORIGINS, and may not be framed; the
page loads nothing from another host (Content-Security-Policy: 'self' only).

The figures come from the store the server itself writes (the SQL tracker store's engine), through
bot/store_reader.py, kept in memory by bot/operator/cache.py and read in a worker thread, so the bot
keeps answering while a page loads.
"""
from __future__ import annotations

import asyncio
import base64
import hmac
import json
import logging
import os
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.origins import mark_cors_handled
from bot.channels.webchat import StaticFile
from bot.operator.cache import StoreCache
from bot.operator.summary import TABLES, Period, page_data, tables
from bot.retention import describe, retention_days
from bot.store_reader import between

logger = logging.getLogger(__name__)

TOKEN_ENV = "OPERATOR_TOKEN"
MIN_TOKEN_CHARS = 16
STATIC = Path(__file__).resolve().parent / "static"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
FILES = {"index.html": "text/html; charset=utf-8", "operator.js": "text/javascript; charset=utf-8",
         "operator.css": "text/css; charset=utf-8", "chart.umd.min.js": "text/javascript; charset=utf-8"}
CHALLENGE = {"WWW-Authenticate": 'Basic realm="BPO Careers Assistant operator page", charset="UTF-8"'}


def operator_token(environ: Dict[str, str] = os.environ) -> Optional[str]:
    """The token from OPERATOR_TOKEN, None when unset or empty; raises ValueError when it is too short
    to stand in for a password."""
    token = (environ.get(TOKEN_ENV) or "").strip()
    if token and len(token) < MIN_TOKEN_CHARS:
        raise ValueError(f"{TOKEN_ENV} must be at least {MIN_TOKEN_CHARS} characters (e.g. `openssl rand -hex 24`)")
    return token or None


def presented_secret(header: Optional[str]) -> Optional[str]:
    """The secret in an Authorization header: a Basic password or a Bearer token; None if neither."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return None
    return None


def tracker_engine(tracker_store: Any) -> Optional[sa.engine.Engine]:
    """The SQLAlchemy engine of Rasa's SQL tracker store, looking inside the fail-safe wrapper Rasa's
    agent puts around it; None for another kind of store (in memory, Redis ...)."""
    for _ in range(3):
        if tracker_store is None:
            return None
        engine = getattr(tracker_store, "engine", None)
        if isinstance(engine, sa.engine.Engine):
            return engine
        tracker_store = getattr(tracker_store, "_tracker_store", None)
    return None


class OperatorInput(InputChannel):
    """credentials.yml: `bot.operator.channel.OperatorInput:` (no settings; OPERATOR_TOKEN switches it on)."""

    @classmethod
    def name(cls) -> Text:
        return "operator"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        try:
            return cls(operator_token())
        except ValueError as error:
            # A setting to fix, not a bug: one line, and the server does not start.
            logger.critical("%s", error)
            raise SystemExit(f"error: {error}") from None

    def __init__(self, token: Optional[str] = None) -> None:
        self.token = token
        self.cache = StoreCache()
        self.files = {name: StaticFile(name, kind, (STATIC / name).read_bytes()) for name, kind in FILES.items()}

    def url_prefix(self) -> Text:
        return "/operator"  # absolute, so Rasa mounts it at the root rather than under /webhooks

    # --- answers ---
    def refusal(self, request: Request) -> Optional[HTTPResponse]:
        """404 when the page is off, 401 without the token, None when the request may be answered."""
        mark_cors_handled(request)  # sanic-cors (Rasa's --cors) must add no CORS headers here
        if not self.token:
            return secured(response.text("Not Found", status=404))
        given = presented_secret(request.headers.get("authorization")) or ""
        if not hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8")):
            return secured(response.text("The operator page needs its password (OPERATOR_TOKEN).", status=401,
                                         headers=CHALLENGE))
        return None

    def period(self, request: Request) -> Period:
        return Period.parse(request.args.get("from"), request.args.get("to"))

    async def computed(self, request: Request, view: Callable[[Any], Any]) -> Any:
        """view(store) on the up-to-date store, in a worker thread. Raises LookupError while the model
        loads, or when the server keeps conversations somewhere this page can't read."""
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or not agent.is_ready():
            raise LookupError("The bot is still starting; try again in a moment.")
        engine = tracker_engine(agent.tracker_store)
        if engine is None:
            raise LookupError("This server keeps conversations in memory (no SQL tracker store), so there is "
                              "nothing to show: run it with `make run` or an SQL tracker store.")
        return await asyncio.get_running_loop().run_in_executor(None, self.cache.use, engine, view)

    async def data(self, request: Request, csv_table: Optional[str] = None) -> HTTPResponse:
        try:
            period = self.period(request)
        except ValueError as error:
            return response.json({"error": str(error)}, status=400)
        try:
            kept = describe(retention_days())
        except ValueError as error:
            kept = f"The retention setting is invalid: {error}"
        try:
            if csv_table is None:
                body = await self.computed(request, lambda store: json.dumps(page_data(store, period, kept)))
                return response.raw(body.encode("utf-8"), content_type="application/json")
            table = await self.computed(
                request, lambda store: tables(between(store, period.since, period.until), period).get(csv_table))
        except LookupError as error:
            return response.json({"error": str(error)}, status=503)
        except sa.exc.SQLAlchemyError as error:
            logger.exception("The operator page could not read the conversation store")
            return response.json({"error": f"The conversation store could not be read ({error.__class__.__name__})."},
                                 status=503)
        if table is None:
            return response.text("Not Found", status=404)
        name = f"{csv_table}-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
        return response.raw(table.as_csv().encode("utf-8"), content_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        operator = Blueprint("operator_page", __name__, strict_slashes=True)

        @operator.get("")
        async def bare(request: Request) -> HTTPResponse:
            return self.refusal(request) or secured(response.redirect("operator/", status=302))

        @operator.get("/")
        async def page(request: Request) -> HTTPResponse:
            return self.refusal(request) or secured(self.files["index.html"].respond(request))

        @operator.get("/static/<name:str>")
        async def static(request: Request, name: str) -> HTTPResponse:
            found = self.files.get(name)
            return self.refusal(request) or secured(found.respond(request) if found
                                                    else response.text("Not Found", status=404))

        # One route for data.json and the <table>.csv files: Sanic 21.12 takes no suffix after a parameter.
        @operator.get("/<filename:str>")
        async def data_file(request: Request, filename: str) -> HTTPResponse:
            refused = self.refusal(request)
            if refused:
                return refused
            if filename == "data.json":
                return secured(await self.data(request))
            if filename.endswith(".csv") and filename[:-len(".csv")] in TABLES:
                return secured(await self.data(request, filename[:-len(".csv")]))
            return secured(response.text("Not Found", status=404))

        @operator.listener("after_server_start")
        async def warm_up(app: Any, loop: Any) -> None:
            if self.token:
                app.add_task(self._warm_up(app))

        return operator

    async def _warm_up(self, app: Any) -> None:
        """Read the store once the model is loaded, so the first page load is not the slow one."""
        for _ in range(600):
            agent = getattr(app.ctx, "agent", None)
            if agent is not None and agent.is_ready():
                engine = tracker_engine(agent.tracker_store)
                if engine is not None:
                    try:
                        await asyncio.get_running_loop().run_in_executor(None, self.cache.use, engine, _nothing)
                    except Exception:  # noqa: BLE001 - a page load will retry and report it
                        logger.exception("The operator page could not read the conversation store at start")
                return
            await asyncio.sleep(1)


def _nothing(store: Any) -> None:
    return None


def secured(result: HTTPResponse) -> HTTPResponse:
    """`result` with the page's security headers."""
    result.headers.update(SECURITY_HEADERS)
    return result
