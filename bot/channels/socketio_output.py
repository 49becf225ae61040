"""What FixedSocketIOInput sends back: Rasa's socket.io replies, with line breaks that survive Markdown.

rasa-webchat (1.0.1, react-markdown 4) renders a bot message as Markdown, where a single "\\n" is
only a soft break and collapses into a space: "…standards and processes.\\nFrom the guide: Growth
roles" would show on one line. A line ending in two spaces is Markdown's hard break (`<br>`), and a
plain-text client shows the two spaces as nothing. Rasa already sends each paragraph (text between
blank lines) as its own `bot_uttered` event, and that is kept.

Only this channel's output changes: REST, Slack, Telegram and the web chat get the text as before.

A rateable answer (bot/feedback.py) also has its `answer_id` in the `metadata` of each of its
`bot_uttered` events, so a socket.io widget that knows it can offer 👍/👎 (sending
`/helpful{"answer_id": ...}` as a message). In `metadata`, not beside `text`: rasa-webchat tells a
text message from a button message by counting the event's keys, and sets `metadata` aside first.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.socketio import SocketIOOutput
from socketio import AsyncServer

from bot.feedback import ANSWER_ID

HARD_BREAK = "  \n"


def markdown_line_breaks(text: str) -> str:
    """Text -> the same text with every single line break made a Markdown hard break (two spaces
    before the newline). Trailing spaces already on a line are not doubled; blank lines (paragraph
    breaks) stay as they are."""
    lines = text.replace("\r\n", "\n").split("\n")
    out: List[str] = []
    for index, line in enumerate(lines):
        line = line.rstrip(" ")
        follows = lines[index + 1] if index + 1 < len(lines) else None
        # Only a line followed by another non-blank line needs a hard break; before a blank line
        # the paragraph ends anyway, and two spaces at the very end would be noise.
        if line.strip() and follows is not None and follows.strip():
            line += "  "
        out.append(line)
    return "\n".join(out)


class FixedSocketIOOutput(SocketIOOutput):
    """Rasa's SocketIOOutput, with hard line breaks and replies sent in the channel's namespace
    (Rasa's own sends them to the default namespace, so a configured `namespace` got none)."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text, namespace: Optional[Text] = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace
        self.answer_id: Optional[Text] = None  # of the message being sent; one output per user message

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.answer_id = message.get(ANSWER_ID)
        try:
            await super().send_response(recipient_id, message)
        finally:
            self.answer_id = None

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        if self.answer_id and isinstance(response, dict):
            response = {**response, "metadata": {**(response.get("metadata") or {}), ANSWER_ID: self.answer_id}}
        await self.sio.emit(self.bot_message_evt, response, room=socket_id, namespace=self.namespace)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await super().send_text_message(recipient_id, markdown_line_breaks(text), **kwargs)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await super().send_text_with_buttons(recipient_id, markdown_line_breaks(text), buttons, **kwargs)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        json_message.setdefault("room", recipient_id)
        json_message.setdefault("namespace", self.namespace)
        await self.sio.emit(self.bot_message_evt, **json_message)
