"""Rasa's socket.io channel, with `session_persistence: true` delivering replies again.

For sites that already embed a socket.io widget (rasa-webchat and the like). Use it in
credentials.yml exactly like `socketio:`, with the same options:

    bot.channels.socketio_fixed.FixedSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

Why: with session persistence Rasa sends replies to a room named after the session id, and the
socket joins that room in the `session_request` handler. Rasa 3.6 calls `sio.enter_room()` there
without `await`; since python-socketio 5.10 that is a coroutine, so the socket never joins and no
`bot_uttered` reaches the client (the log says "coroutine 'AsyncServer.enter_room' was never
awaited"). This class registers `session_request` again with the call awaited; everything else is
Rasa's channel unchanged, so the protocol stays the one such widgets expect.
"""
from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

logger = logging.getLogger(__name__)


class FixedSocketIOInput(SocketIOInput):
    """`socketio` with the session room joined before `session_confirm` is sent."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio

        # Registering the same event name again replaces Rasa's handler.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, data["session_id"], namespace=self.namespace)
                if inspect.isawaitable(joined):  # a coroutine from python-socketio 5.10 on
                    await joined
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)
            logger.debug(f"Socket {sid} joined session {data['session_id']}.")

        return webhook
