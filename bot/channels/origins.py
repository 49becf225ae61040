"""Which web pages may talk to the bot from a browser: one rule for the web chat and socket.io.

Setting: WEBCHAT_ALLOWED_ORIGINS, comma- or space-separated origins (`https://careers.example.com`)
or `*`. A page served by the bot's own host is always allowed; a request without an Origin header
(curl, a server, a same-origin GET) is not a cross-site browser request and is allowed too.

The web chat (`webchat.py`) applies it to its JSON endpoints, FixedSocketIOInput
(`socketio_fixed.py`) to every socket.io request (polling, websocket upgrade, preflight), both
through OriginPolicy, so a site listed for one is listed for the other.

Imports nothing from Rasa; only sanic-cors's marker name (a Rasa dependency) is borrowed.
"""
from __future__ import annotations

import os
import re
from typing import Any, Iterable, List, Mapping, Optional
from urllib.parse import urlsplit

ORIGINS_ENV = "WEBCHAT_ALLOWED_ORIGINS"

try:  # Rasa's own CORS layer (sanic-cors, driven by `--cors`) must not add a second set of headers.
    from sanic_cors.core import SANIC_CORS_EVALUATED
except ImportError:  # pragma: no cover - sanic-cors is a Rasa dependency
    SANIC_CORS_EVALUATED = "_sanic_cors_e"


def parse_origins(value: Optional[str]) -> List[str]:
    """`"https://a.example, http://localhost:8000/"` -> normalised origins (lower case, no trailing
    slash); `*` stays `*`; None or "" -> []."""
    origins = []
    for item in re.split(r"[\s,]+", value or ""):
        item = item.strip().rstrip("/").lower()
        if item:
            origins.append(item)
    return origins


def origin_allowed(origin: Optional[str], hosts: Iterable[Optional[str]], allowed: List[str]) -> bool:
    """True for no Origin header, the page's own host (one of `hosts`, `host[:port]`), or an origin
    in `allowed` (as parse_origins returns it, `*` allowing any)."""
    if origin is None:
        return True
    origin = origin.strip().rstrip("/").lower()
    if "*" in allowed or origin in allowed:
        return True
    # Same-origin: the page came from the host this request was sent to. Behind a reverse proxy the
    # public host arrives in X-Forwarded-Host. Only host[:port] is compared, since a TLS-terminating
    # proxy talks plain http to Rasa while the browser's origin says https.
    netloc = urlsplit(origin).netloc if origin != "null" else ""
    return bool(netloc) and any(host and netloc == host.strip().lower() for host in hosts)


class OriginPolicy:
    """The allowed origins, read once (from WEBCHAT_ALLOWED_ORIGINS unless given)."""

    def __init__(self, allowed: Optional[List[str]] = None, environ: Mapping[str, str] = os.environ):
        self.allowed = parse_origins(environ.get(ORIGINS_ENV)) if allowed is None else allowed

    def allows(self, origin: Optional[str], host: Optional[str], forwarded_host: Optional[str] = None) -> bool:
        """Whether a request with these Origin, Host and X-Forwarded-Host headers may be answered."""
        # A proxy chain appends hosts; the first is the one the browser asked for.
        return origin_allowed(origin, [host, (forwarded_host or "").split(",")[0]], self.allowed)

    def allows_environ(self, origin: Optional[str], environ: Mapping[str, Any]) -> bool:
        """The same rule for a WSGI-style environ (python-engineio's `cors_allowed_origins` callable
        gets `(origin, environ)`). Also marks the underlying Sanic request as CORS-handled."""
        mark_cors_handled(environ.get("sanic.request"))
        return self.allows(origin, environ.get("HTTP_HOST"), environ.get("HTTP_X_FORWARDED_HOST"))

    def refusal(self) -> str:
        """What a refused site is told."""
        return f"This site is not allowed to use the chat (add its origin to {ORIGINS_ENV})."


def mark_cors_handled(request: Any) -> None:
    """Tell sanic-cors (active when Rasa runs with `--cors`) that this request's CORS headers are
    already decided, so a response never carries two Access-Control-Allow-Origin values."""
    ctx = getattr(request, "ctx", None)
    if ctx is not None:
        setattr(ctx, SANIC_CORS_EVALUATED, "1")
