"""Rasa's socket.io channel, fixed and held to the web chat's rules, for sites that embed a socket.io
widget (rasa-webchat and the like). In credentials.yml, instead of `socketio:`, same options:

    bot.channels.socketio_fixed.FixedSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
      metadata_key: customData   # what rasa-webchat sends its customData as

What differs from Rasa 3.6's `socketio` channel:

- Session persistence delivers replies again. Replies go to a room named after the session id,
  which the socket joins on `session_request`; Rasa calls `sio.enter_room()` there without `await`,
  and since python-socketio 5.10 that is a coroutine, so no `bot_uttered` ever reached the client.
- Origins: only pages the web chat accepts may connect (`origins.py`: WEBCHAT_ALLOWED_ORIGINS, the
  bot's own host always). python-engineio checks the Origin header of every socket.io request
  (polling, websocket upgrade, preflight) through our callable: an allowed origin gets
  Access-Control-Allow-Origin, any other a 400 without it, so the browser never connects. Rasa's
  stock server allowed every origin at the socket level and sent no CORS headers (unless `--cors`).
- Input is checked with `input_rules` before Rasa sees it (see INVALID below), and a socket only
  talks in the session it joined, so a reply can never go to another session's room.
- Replies keep their line breaks when rendered as Markdown (`socketio_output.py`).

INVALID INPUT. A `user_uttered` whose payload is not an object, whose `message` is not a non-empty
string of at most input_rules.MAX_MESSAGE_CHARS characters, whose `session_id` is not a non-empty
string of at most MAX_SENDER_CHARS (with session persistence), or whose metadata is not an object,
is dropped, and only the socket that sent it gets a `bot_uttered` event (the bot message event):

    {"text": "Sorry, I couldn't take that message: `message` is longer than 5000 characters.",
     "metadata": {"error": {"status": 413, "field": "message", "message": "`message` is longer ..."}}}

rasa-webchat shows the text as a bot bubble and ignores the metadata; other clients can tell the
event from a reply by `metadata.error` (`status` follows HTTP: 400 malformed, 413 too long, 409
another session, 500 the bot failed). An invalid `session_request` gets the same event and no
`session_confirm`.
"""
from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import input_rules
from bot.channels.input_rules import InputError
from bot.channels.origins import OriginPolicy
from bot.channels.socketio_output import FixedSocketIOOutput

logger = logging.getLogger(__name__)


def error_event(error: InputError) -> Dict[str, Any]:
    """An InputError -> the `bot_uttered` payload that tells the person (text) and a program
    (`metadata.error`: status, field, message) what was wrong."""
    text = (f"Sorry, I couldn't take that message: {error}" if error.status < 500
            else "Sorry, something went wrong on my side; please try again.")
    return {"text": text, "metadata": {"error": {"status": error.status, "field": error.field, "message": str(error)}}}


def parse_user_uttered(data: Any, metadata_key: str, with_session: bool) -> Dict[str, Any]:
    """A `user_uttered` payload -> `{"text", "session_id" (None without session persistence),
    "metadata"}`; InputError (400/413) naming the field at fault."""
    if not isinstance(data, dict):
        raise InputError(400, "data", 'The event data must be an object: {"message": "<text>", "session_id": "<id>"}.')
    text = input_rules.message_text(data.get("message"), "message")
    session_id = input_rules.sender_id(data.get("session_id"), "session_id") if with_session else None
    metadata = data.get(metadata_key)
    if isinstance(metadata, str):  # some widgets send their metadata JSON-encoded; Rasa accepts that
        try:
            metadata = json.loads(metadata)
        except ValueError:
            metadata = []  # refused just below, with the field's name
    return {"text": text, "session_id": session_id, "metadata": input_rules.metadata(metadata, metadata_key)}


def requested_session(data: Any) -> str:
    """A `session_request` payload -> the session id to join (a new random one when none is given,
    as null or ""); InputError (400) for any other id that breaks input_rules."""
    wanted = data.get("session_id") if isinstance(data, dict) else None
    return uuid.uuid4().hex if wanted in (None, "") else input_rules.sender_id(wanted, "session_id")


class FixedSocketIOInput(SocketIOInput):
    """`socketio`, with sessions that receive replies, the web chat's origin rule, and checked input."""

    def __init__(self, *args: Any, allowed_origins: Optional[List[str]] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.origins = OriginPolicy(allowed_origins)

    def get_output_channel(self) -> Optional[FixedSocketIOOutput]:
        """The output for messages the bot starts (reminders, external events), like the replies."""
        return FixedSocketIOOutput(self.sio, self.bot_message_evt, self.namespace) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio, namespace = self.sio, self.namespace
        # Rasa creates the server with `cors_allowed_origins=[]` (no check, no headers). engine.io
        # calls a callable with (origin, environ) for every request, so one rule covers polling,
        # the websocket upgrade and preflights.
        sio.eio.cors_allowed_origins = self.origins.allows_environ
        engineio_path = "/" + (self.socketio_path or "socket.io").strip("/")

        async def preflight_by_engineio(request: Request, response: HTTPResponse) -> Optional[HTTPResponse]:
            # Rasa's CORS layer (sanic-cors, installed even without `--cors`) answers every OPTIONS
            # itself, before any route, with no Access-Control-Allow-Origin for our listed sites.
            # Its answer is replaced by engine.io's, which applies the same origin rule as above.
            if request.method == "OPTIONS" and request.path.rstrip("/") == engineio_path:
                return await sio.eio.handle_request(request)
            return None

        @webhook.listener("before_server_start")
        async def answer_preflights(app: Sanic, _: Any) -> None:
            app.register_middleware(preflight_by_engineio, "response")

        async def refuse(sid: Text, error: InputError) -> None:
            logger.info("socket.io input from %s refused: %s", sid, error)
            await sio.emit(self.bot_message_evt, error_event(error), room=sid, namespace=namespace)

        def sessions_of(sid: Text) -> List[Text]:
            return [room for room in sio.rooms(sid, namespace=namespace) if room != sid]

        async def join(sid: Text, session_id: Text) -> None:
            for room in sessions_of(sid):  # one session per socket: replies must not go to two
                await sio.leave_room(sid, room, namespace=namespace)
            await sio.enter_room(sid, session_id, namespace=namespace)

        # Registering an event name again replaces Rasa's handler. Defaults on `data`: a client may
        # emit the event without arguments, which would otherwise fail inside python-socketio.
        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Any = None, *_: Any) -> None:
            try:
                session_id = requested_session(data)
            except InputError as error:
                await refuse(sid, error)
                return
            if self.session_persistence:
                await join(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)
            logger.debug("Socket %s joined session %s.", sid, session_id)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any = None, *_: Any) -> None:
            try:
                parsed = parse_user_uttered(data, self.metadata_key, self.session_persistence)
                sender = parsed["session_id"] or sid
                if self.session_persistence and sender not in sio.rooms(sid, namespace=namespace):
                    if sessions_of(sid):
                        raise InputError(409, "session_id", "`session_id` is not the session this connection "
                                                            "joined with `session_request`.")
                    # No session_request on this socket (a client that skips it): joining here is
                    # what lets the reply, sent to the session's room, reach it.
                    await join(sid, sender)
            except InputError as error:
                await refuse(sid, error)
                return
            output = FixedSocketIOOutput(sio, self.bot_message_evt, namespace)
            try:
                await on_new_message(UserMessage(parsed["text"], output, sender, input_channel=self.name(),
                                                 metadata=parsed["metadata"]))
            except Exception:  # noqa: BLE001 - the person gets a message, the log gets the trace
                logger.exception("socket.io could not handle a message for %s", sender)
                await refuse(sid, InputError(500, "message", "The assistant could not answer."))

        return webhook
