"""Web chat channel: the chat page, the embeddable widget and its JSON endpoints, on Rasa's own port.

Routes (paths are relative to wherever a reverse proxy mounts the server):
- `GET /`                    the full-page chat, for browsers (Accept: text/html); other clients
                             still get Rasa's "Hello from Rasa" text, so health checks keep working
- `GET /webchat/widget.js`   the widget: `<script src=".../webchat/widget.js" data-server="...">`
- `GET /webchat/widget.css`  its stylesheet (the script loads it)
- `GET /webchat/feedback.js` its 👍/👎 controls under rateable answers (the script loads it too)
- `POST /webchat/message`    `{"sender": id, "message": text}` -> `{"messages": [bot replies]}`
- `POST /webchat/history`    `{"sender": id}` -> `{"title", "greeting", "messages"}`, that conversation
                             only (POST so the id, which is the conversation's only key, stays out
                             of URLs and access logs); a rated answer says how it was rated

A rateable answer (bot/feedback.py) reaches the widget with its `answer_id`; a 👍/👎 click comes back
as a silent message `/helpful{"answer_id": ...}` or `/not_helpful{...}`, which Rasa handles.

What a body must contain, and the message shape, are in `webchat_requests.py`. Cross-origin
callers must be listed in WEBCHAT_ALLOWED_ORIGINS (`origins.py`, the rule socket.io shares);
same-origin is always allowed. The origin is checked here, on the server, so a refused site gets
403 and the bot does nothing.
"""
from __future__ import annotations

import hashlib
import html
import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.input_rules import MAX_MESSAGE_CHARS, InputError
from bot.channels.origins import OriginPolicy, mark_cors_handled
from bot.channels.rest import RatedCollectingOutput
from bot.channels.webchat_requests import RequestError, bot_message, history, parse_history_request, parse_message
# These lived here before they had modules of their own; other code and tests import them from here.
from bot.channels.origins import ORIGINS_ENV, origin_allowed, parse_origins  # noqa: F401
from bot.channels.webchat_requests import (  # noqa: F401
    MAX_BODY_BYTES, SENDER_PREFIX, conversation_id)

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
# 1000 matches the widget's maxlength; a configured limit may only tighten the one all channels share.
DEFAULTS = {"title": "Chat", "greeting": "/greet", "max_message_chars": 1000}


class WebChatOutput(RatedCollectingOutput):
    """Collects replies without cutting text at blank lines, so a live reply and the same reply
    read back from history are the same single bubble; a rateable answer keeps its `answer_id`
    (as in the REST channel), so the widget can draw 👍/👎 under it."""

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
        if not 0 < max_message_chars <= MAX_MESSAGE_CHARS:
            raise ValueError(f"max_message_chars must be 1-{MAX_MESSAGE_CHARS} (input_rules.MAX_MESSAGE_CHARS), "
                             f"not {max_message_chars}")
        self.max_message_chars = max_message_chars
        self.origins = OriginPolicy(allowed_origins)
        page = (STATIC / "index.html").read_text("utf-8").replace("{{title}}", html.escape(title))
        # `/` answers by Accept (page or Rasa's hello), so caches must keep the two apart.
        self.page = StaticFile("index.html", "text/html; charset=utf-8", page.encode("utf-8"), vary="Accept")
        self.script = StaticFile("widget.js", "text/javascript; charset=utf-8")
        self.style = StaticFile("widget.css", "text/css; charset=utf-8")
        self.feedback = StaticFile("feedback.js", "text/javascript; charset=utf-8")

    def url_prefix(self) -> Text:
        # Absolute, so Rasa's urljoin("/webhooks/", ...) mounts it at /webchat, not under /webhooks.
        return "/webchat"

    # --- helpers ---
    def check_origin(self, request: Request) -> None:
        """RequestError (403) unless the request's Origin may use the chat."""
        headers = request.headers
        if not self.origins.allows(headers.get("origin"), headers.get("host"), headers.get("x-forwarded-host")):
            raise RequestError(403, self.origins.refusal(), "origin")

    def reply(self, request: Request, body: Dict[str, Any], status: int = 200) -> HTTPResponse:
        headers = {"Cache-Control": "no-store", "Vary": "Origin"}
        origin = request.headers.get("origin")
        if origin:
            # Also on a 403: the refusal was already decided here, and letting the page read it is
            # what lets the widget say "not allowed" instead of "can't be reached".
            headers["Access-Control-Allow-Origin"] = origin
        mark_cors_handled(request)
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

        @webchat.get("/feedback.js")
        async def feedback(request: Request) -> HTTPResponse:
            return self.feedback.respond(request)

        @webchat.post("/message")
        async def message(request: Request) -> HTTPResponse:
            try:
                self.check_origin(request)
                parsed = parse_message(request.body or b"", self.max_message_chars, self.greeting)
            except InputError as error:
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
            except InputError as error:
                return self.reply(request, {"error": str(error)}, error.status)
            try:
                tracker = await request.app.ctx.agent.tracker_store.retrieve_full_tracker(sender)
            except Exception:  # noqa: BLE001
                logger.exception("The web chat could not read the conversation %s", sender)
                return self.reply(request, {"error": "The conversation could not be loaded."}, 500)
            messages = history(tracker.events) if tracker else []
            return self.reply(request, {"title": self.title, "greeting": self.greeting, "messages": messages})

        return webchat
