"""Web chat channel: the chat page, the embeddable widget and its JSON endpoints, on Rasa's own port.

Routes (paths are relative to wherever a reverse proxy mounts the server):
- `GET /`                    the full-page chat, for browsers (Accept: text/html); other clients
                             still get Rasa's "Hello from Rasa" text, so health checks keep working
- `GET /webchat/widget.js`   the widget: `<script src=".../webchat/widget.js" data-server="...">`
- `GET /webchat/widget.css`  its stylesheet (the script loads it)
- `POST /webchat/message`    `{"sender": id, "message": text}` -> `{"messages": [bot replies]}`
- `POST /webchat/history`    `{"sender": id}` -> `{"title", "greeting", "messages"}`, that conversation
                             only (POST so the id, which is the conversation's only key, stays out
                             of URLs and access logs)

Conversation ids are 128-bit random hex strings made by the browser; anything shorter is refused,
so ids cannot be guessed, and they are stored as `webchat-<id>` so this channel can never read a
conversation another channel started. Cross-origin callers must be listed in
WEBCHAT_ALLOWED_ORIGINS (comma- or space-separated origins, or `*`); same-origin is always allowed.
The origin is checked here, on the server, so a refused site gets 403 and the bot does nothing.
"""
from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text
from urllib.parse import urlsplit

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
ORIGINS_ENV = "WEBCHAT_ALLOWED_ORIGINS"
# 32 hex digits (dashes of the UUID form allowed): 128 random bits from crypto.getRandomValues.
CONVERSATION_ID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
SENDER_PREFIX = "webchat-"
MAX_BODY_BYTES = 16 * 1024
MAX_LABEL_CHARS = 200
HISTORY_LIMIT = 200
DEFAULTS = {"title": "Chat", "greeting": "/greet", "max_message_chars": 1000}

try:  # Rasa's own CORS layer (sanic-cors, driven by `--cors`) must not add a second set of headers.
    from sanic_cors.core import SANIC_CORS_EVALUATED
except ImportError:  # pragma: no cover - sanic-cors is a Rasa dependency
    SANIC_CORS_EVALUATED = "_sanic_cors_e"


class RequestError(Exception):
    """A client mistake, answered with its status and a one-line JSON explanation."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


# --- pure helpers (tested without a server) ------------------------------------------------------

def parse_origins(value: Optional[str]) -> List[str]:
    """`"https://a.example, http://localhost:8000/"` -> normalised origins; `*` stays `*`."""
    origins = []
    for item in re.split(r"[\s,]+", value or ""):
        item = item.strip().rstrip("/").lower()
        if item:
            origins.append(item)
    return origins


def origin_allowed(origin: Optional[str], hosts: Iterable[Optional[str]], allowed: List[str]) -> bool:
    """No Origin header (same-origin GET, curl) or the page's own host, or a listed origin."""
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


def conversation_id(value: Any) -> str:
    """The tracker id for a browser's conversation id, or RequestError if it is not a random id."""
    if not isinstance(value, str) or not CONVERSATION_ID.match(value):
        raise RequestError(400, "`sender` must be a random conversation id: 32 hex digits (a UUID).")
    return SENDER_PREFIX + value.replace("-", "").lower()


def typed_text(text: str) -> str:
    """Typed text never reaches Rasa as an intent payload: a leading "/" is dropped.

    Only the widget's buttons (sent with their `label`) and the configured greeting are payloads.
    """
    return text.lstrip("/").strip() if text.startswith("/") else text


def json_object(body: bytes, example: str) -> Dict[str, Any]:
    """The request body as a JSON object, whatever its Content-Type (the widget sends text/plain)."""
    if len(body) > MAX_BODY_BYTES:
        raise RequestError(413, f"The request is larger than {MAX_BODY_BYTES} bytes.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise RequestError(400, f"The body must be a JSON object: {example}.")
    return data


def parse_history_request(body: bytes) -> str:
    """Validate a POST /webchat/history body; return the tracker id."""
    return conversation_id(json_object(body, '{"sender": "<id>"}').get("sender"))


def parse_message(body: bytes, max_chars: int, greeting: Optional[str]) -> Dict[str, Any]:
    """Validate a POST /webchat/message body; return sender, text and the metadata to keep."""
    data = json_object(body, '{"sender": "<id>", "message": "<text>"}')
    sender = conversation_id(data.get("sender"))
    text = data.get("message")
    if not isinstance(text, str) or not text.strip():
        raise RequestError(400, "`message` must be a non-empty string.")
    text = text.strip()
    if len(text) > max_chars:
        raise RequestError(413, f"`message` is longer than {max_chars} characters.")
    label, silent = data.get("label"), data.get("silent", False)
    if label is not None and (not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL_CHARS):
        raise RequestError(400, f"`label` must be a button title of 1-{MAX_LABEL_CHARS} characters.")
    if not isinstance(silent, bool):
        raise RequestError(400, "`silent` must be true or false.")
    if silent and text != greeting:
        raise RequestError(400, "Only the greeting can be sent silently.")
    if label is None and not silent:
        text = typed_text(text)
        if not text:
            raise RequestError(400, "`message` must contain some text.")
    # Kept on the user event, so history shows what the person saw (a button's title, not its
    # payload) and leaves out the greeting the widget sends on its own.
    shown = {"label": label.strip()} if label else ({"silent": True} if silent else {})
    return {"sender": sender, "text": text, "metadata": {"webchat": shown} if shown else {}}


def bot_message(text: Optional[str], data: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """A bot utterance in the one shape the widget renders, live or from history."""
    data = data or {}
    message: Dict[str, Any] = {"from": "bot", "text": text or ""}
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in data.get("buttons") or [] if isinstance(b, dict) and b.get("payload")
    ]
    if buttons:
        message["buttons"] = buttons
    image = data.get("image")
    if isinstance(image, str) and image.startswith(("https://", "http://")):
        message["image"] = image
    return message


def history(events: Iterable[Any], limit: int = HISTORY_LIMIT) -> List[Dict[str, Any]]:
    """The person's and the bot's messages from tracker events, as the widget showed them."""
    messages: List[Dict[str, Any]] = []
    for event in events:
        if isinstance(event, UserUttered):
            shown = (event.metadata or {}).get("webchat") or {}
            if shown.get("silent") or not event.text:
                continue
            messages.append({"from": "user", "text": shown.get("label") or event.text})
        elif isinstance(event, BotUttered) and (event.text or event.data.get("image")):
            messages.append(bot_message(event.text, event.data))
    return messages[-limit:]


class WebChatOutput(CollectingOutputChannel):
    """Collects replies without cutting text at blank lines, so a live reply and the same reply
    read back from history are the same single bubble."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text))


# --- the channel ---------------------------------------------------------------------------------

class WebChatBlueprint(Blueprint):
    """Also answers browsers at `/`, where Rasa already has its "hello" route.

    Two GET `/` routes cannot coexist in Sanic, so instead of replacing Rasa's route a request
    middleware answers browsers (Accept: text/html) first and lets everything else through.
    """

    def __init__(self, page: Callable[[Request], Optional[HTTPResponse]], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ctx.page = page  # Sanic blueprints only take new attributes on .ctx

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        super().register(app, options)

        async def chat_page_at_root(request: Request) -> Optional[HTTPResponse]:
            if request.method == "GET" and request.path == "/":
                return self.ctx.page(request)
            return None

        app.register_middleware(chat_page_at_root, "request")


class StaticFile:
    """One file from static/, read once, served with an ETag so browsers revalidate cheaply."""

    def __init__(self, name: str, content_type: str, body: Optional[bytes] = None, vary: Optional[str] = None):
        self.body = body if body is not None else (STATIC / name).read_bytes()
        self.content_type = content_type
        self.etag = '"%s"' % hashlib.sha256(self.body).hexdigest()[:20]
        self.vary = vary

    def respond(self, request: Request) -> HTTPResponse:
        headers = {"ETag": self.etag, "Cache-Control": "no-cache"}
        if self.vary:
            headers["Vary"] = self.vary
        if request.headers.get("if-none-match") == self.etag:
            return response.empty(status=304, headers=headers)
        return response.raw(self.body, content_type=self.content_type, headers=headers)


class WebChatInput(InputChannel):
    """The web chat. credentials.yml: `bot.channels.webchat.WebChatInput:` with optional
    `title`, `greeting` (payload sent when a conversation starts) and `max_message_chars`."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        options = {**DEFAULTS, **(credentials or {})}
        return cls(title=str(options["title"]), greeting=options["greeting"] or None,
                   max_message_chars=int(options["max_message_chars"]))

    def __init__(self, title: str = DEFAULTS["title"], greeting: Optional[str] = DEFAULTS["greeting"],
                 max_message_chars: int = DEFAULTS["max_message_chars"],
                 allowed_origins: Optional[List[str]] = None) -> None:
        self.title = title
        self.greeting = greeting
        self.max_message_chars = max_message_chars
        self.allowed_origins = (parse_origins(os.environ.get(ORIGINS_ENV))
                                if allowed_origins is None else allowed_origins)
        page = (STATIC / "index.html").read_text("utf-8").replace("{{title}}", html.escape(title))
        # `/` answers by Accept (page or Rasa's hello), so caches must keep the two apart.
        self.page = StaticFile("index.html", "text/html; charset=utf-8", page.encode("utf-8"), vary="Accept")
        self.script = StaticFile("widget.js", "text/javascript; charset=utf-8")
        self.style = StaticFile("widget.css", "text/css; charset=utf-8")

    def url_prefix(self) -> Text:
        # Absolute, so Rasa's urljoin("/webhooks/", ...) mounts it at /webchat, not under /webhooks.
        return "/webchat"

    # --- helpers ---
    def check_origin(self, request: Request) -> None:
        hosts = [request.headers.get("host"), (request.headers.get("x-forwarded-host") or "").split(",")[0]]
        if not origin_allowed(request.headers.get("origin"), hosts, self.allowed_origins):
            raise RequestError(403, f"This site is not allowed to use the chat (add its origin to {ORIGINS_ENV}).")

    def reply(self, request: Request, body: Dict[str, Any], status: int = 200) -> HTTPResponse:
        headers = {"Cache-Control": "no-store", "Vary": "Origin"}
        origin = request.headers.get("origin")
        if origin:
            # Also on a 403: the refusal was already decided here, and letting the page read it is
            # what lets the widget say "not allowed" instead of "can't be reached".
            headers["Access-Control-Allow-Origin"] = origin
        setattr(request.ctx, SANIC_CORS_EVALUATED, "1")
        return response.json(body, status=status, headers=headers)

    def page_for(self, request: Request) -> Optional[HTTPResponse]:
        if "text/html" not in (request.headers.get("accept") or ""):
            return None
        return self.page.respond(request)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = WebChatBlueprint(self.page_for, "webchat_webhook", __name__)

        @webchat.get("/widget.js")
        async def script(request: Request) -> HTTPResponse:
            return self.script.respond(request)

        @webchat.get("/widget.css")
        async def style(request: Request) -> HTTPResponse:
            return self.style.respond(request)

        @webchat.post("/message")
        async def message(request: Request) -> HTTPResponse:
            try:
                self.check_origin(request)
                parsed = parse_message(request.body or b"", self.max_message_chars, self.greeting)
            except RequestError as error:
                return self.reply(request, {"error": str(error)}, error.status)
            collector = WebChatOutput()
            try:
                await on_new_message(UserMessage(parsed["text"], collector, parsed["sender"],
                                                 input_channel=self.name(), metadata=parsed["metadata"]))
            except Exception:  # noqa: BLE001 - the browser gets a message, the log gets the trace
                logger.exception("The web chat could not handle a message for %s", parsed["sender"])
                return self.reply(request, {"error": "The assistant could not answer; please try again."}, 500)
            replies = [bot_message(m.get("text"), m) for m in collector.messages
                       if m.get("text") or m.get("image")]
            return self.reply(request, {"messages": replies})

        @webchat.post("/history")
        async def conversation(request: Request) -> HTTPResponse:
            try:
                self.check_origin(request)
                sender = parse_history_request(request.body or b"")
            except RequestError as error:
                return self.reply(request, {"error": str(error)}, error.status)
            try:
                tracker = await request.app.ctx.agent.tracker_store.retrieve_full_tracker(sender)
            except Exception:  # noqa: BLE001
                logger.exception("The web chat could not read the conversation %s", sender)
                return self.reply(request, {"error": "The conversation could not be loaded."}, 500)
            messages = history(tracker.events) if tracker else []
            return self.reply(request, {"title": self.title, "greeting": self.greeting, "messages": messages})

        return webchat
