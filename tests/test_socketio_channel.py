"""The socket.io channel (bot.channels.socketio_fixed) at the socket and HTTP level.

The helper tests need no server; the others use the session's real bot (`bot` fixture, with
credentials.yml's socket.io block and no WEBCHAT_ALLOWED_ORIGINS, so only the bot's own origin is
allowed). A listed origin and the real rasa-webchat widget are tested in test_webchat_rasa_webchat.py.
"""
import queue
import time
import uuid

import pytest
import requests
import socketio

from bot.channels import input_rules
from bot.channels.input_rules import InputError
from bot.channels.socketio_fixed import error_event, parse_user_uttered, requested_session
from bot.channels.socketio_output import markdown_line_breaks
from tests.webchat_sites import greeting_buttons


def new_id() -> str:
    return uuid.uuid4().hex


# --- helpers, no server -----------------------------------------------------------------------------

def test_single_line_breaks_become_markdown_hard_breaks():
    assert markdown_line_breaks("one") == "one"
    assert markdown_line_breaks("a\nb\nc") == "a  \nb  \nc"
    assert markdown_line_breaks("a  \r\nb") == "a  \nb"  # existing hard breaks are not doubled
    assert markdown_line_breaks("a\nb\n\nc\n") == "a  \nb\n\nc\n"  # paragraphs stay paragraphs


def test_user_uttered_payloads_are_checked_with_the_shared_rules():
    sid = new_id()
    assert parse_user_uttered({"message": "hi", "session_id": sid, "customData": '{"language": "en"}'},
                               "customData", True) == {"text": "hi", "session_id": sid, "metadata": {"language": "en"}}
    assert parse_user_uttered({"message": "hi"}, "metadata", False)["session_id"] is None  # sender = the socket
    longest = "x" * input_rules.MAX_MESSAGE_CHARS
    assert parse_user_uttered({"message": longest, "session_id": sid}, "metadata", True)["text"] == longest
    cases = [
        ("hello", 400, "data"), (None, 400, "data"), ({"session_id": sid}, 400, "message"),
        ({"message": "  ", "session_id": sid}, 400, "message"), ({"message": ["hi"], "session_id": sid}, 400, "message"),
        ({"message": longest + "x", "session_id": sid}, 413, "message"),
        ({"message": "hi"}, 400, "session_id"), ({"message": "hi", "session_id": ""}, 400, "session_id"),
        ({"message": "hi", "session_id": 42}, 400, "session_id"),
        ({"message": "hi", "session_id": "s" * (input_rules.MAX_SENDER_CHARS + 1)}, 400, "session_id"),
        ({"message": "hi", "session_id": sid, "metadata": "{not json"}, 400, "metadata"),
        ({"message": "hi", "session_id": sid, "metadata": [1]}, 400, "metadata"),
    ]
    for data, status, field in cases:
        with pytest.raises(InputError) as error:
            parse_user_uttered(data, "metadata", True)
        assert (error.value.status, error.value.field) == (status, field), data


def test_session_requests_and_the_error_event():
    for none_given in [None, {}, {"session_id": None}, {"session_id": ""}]:
        assert len(requested_session(none_given)) == 32  # a new random id, as Rasa does
    assert requested_session({"session_id": " abc "}) == "abc"
    for bad in [{"session_id": "  "}, {"session_id": {"x": 1}}, {"session_id": "s" * 129}]:
        with pytest.raises(InputError):
            requested_session(bad)
    event = error_event(InputError(413, "message", "`message` is longer than 5000 characters."))
    # Only `text` besides `metadata`: rasa-webchat drops `metadata` and shows a one-key message as text.
    assert set(event) == {"text", "metadata"} and "longer than 5000" in event["text"]
    assert event["metadata"]["error"] == {"status": 413, "field": "message",
                                          "message": "`message` is longer than 5000 characters."}


# --- the real bot ------------------------------------------------------------------------------------

class SocketUser:
    """A socket.io client as rasa-webchat uses the channel. Polling only: the websocket transport
    of python-engineio 4.15 needs a newer aiohttp than Rasa 3.6 pins."""

    def __init__(self, url: str, session_id: str):
        self.events: "queue.Queue[dict]" = queue.Queue()
        self.confirmed: "queue.Queue[str]" = queue.Queue()
        self.session_id = session_id
        self.client = socketio.Client()
        self.client.on("bot_uttered", self.events.put)
        self.client.on("session_confirm", self.confirmed.put)
        self.client.connect(url, transports=["polling"], socketio_path="/socket.io", wait_timeout=20)
        self.client.emit("session_request", {"session_id": session_id})
        assert self.confirmed.get(timeout=20) == session_id

    def ask(self, text: str, expect: str, seconds: float = 60) -> dict:
        """Send `text`; return the first bot_uttered event whose text contains `expect`."""
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
        return self.wait_for(expect, seconds)

    def wait_for(self, expect: str, seconds: float = 60) -> dict:
        seen = []
        while True:
            try:
                event = self.events.get(timeout=seconds)
            except queue.Empty:
                raise AssertionError(f"no bot_uttered containing {expect!r}; got {seen}")
            seen.append(event)
            if expect in event.get("text", ""):
                return event

    def received(self, seconds: float) -> list:
        """Every bot_uttered event that arrives within `seconds`."""
        events, deadline = [], time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                events.append(self.events.get(timeout=left))
            except queue.Empty:
                break
        return events

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def users(bot):
    """`users(session_id)` -> a connected SocketUser; all are disconnected after the test."""
    opened = []

    def connect(session_id: str) -> SocketUser:
        opened.append(SocketUser(bot.rasa.url, session_id))
        return opened[-1]

    yield connect
    for user in opened:
        user.close()


def test_socketio_with_session_persistence_delivers_replies(users):
    user = users(new_id())
    hello = user.ask("hi", "BPO Careers Assistant")
    assert [q["title"] for q in hello["quick_replies"]] == greeting_buttons()
    user.ask("what are the shift timings", "night and rotating shifts")


def test_socketio_session_continues_on_a_new_socket(users):
    # A reload in rasa-webchat opens a new socket with the stored session id: the context must remain.
    session = new_id()
    first = users(session)
    first.ask("what does a DEO do", "Data Entry Operator")
    first.close()
    users(session).ask("what skills do I need for it?", "What the Data Entry Operator role asks of you")


def test_invalid_messages_get_an_error_event_and_never_reach_rasa(users):
    user = users(new_id())
    bad = [
        "what is bpo",                                                            # not an object
        {"message": "", "session_id": user.session_id},
        {"message": 42, "session_id": user.session_id},
        {"message": "what is bpo " * 500, "session_id": user.session_id},       # over MAX_MESSAGE_CHARS
        {"message": "what is bpo"},                                               # no session_id
        {"message": "what is bpo", "session_id": "s" * (input_rules.MAX_SENDER_CHARS + 1)},
        {"message": "what is bpo", "session_id": user.session_id, "customData": "not json"},
    ]
    for data in bad:
        user.client.emit("user_uttered", data)
    errors = user.received(5)
    assert sorted(e["metadata"]["error"]["status"] for e in errors) == [400] * 6 + [413]
    assert all(e["text"].startswith("Sorry, I couldn't take that message:") for e in errors)
    # Rasa answers anything it is given; nothing came, and the connection still works.
    user.ask("what are the shift timings", "night and rotating shifts")


def test_a_reply_never_goes_to_another_session(users):
    mine, theirs = users(new_id()), users(new_id())
    mine.client.emit("user_uttered", {"message": "what is bpo", "session_id": theirs.session_id})
    [refused] = mine.received(5)
    assert refused["metadata"]["error"]["status"] == 409 and refused["metadata"]["error"]["field"] == "session_id"
    assert theirs.received(1) == []
    theirs.ask("what are the shift timings", "night and rotating shifts")  # their session is untouched


def test_replies_keep_line_breaks_for_markdown_and_rest_is_unchanged(bot, users):
    question = "which jobs can a fresher get?"
    reply = users(new_id()).ask(question, "Customer Service Executive")
    plain = bot.text(new_id(), question)  # REST, another conversation
    assert "  \n" not in plain and plain.count("\n") >= 2
    assert reply["text"] == markdown_line_breaks(plain)


def test_socketio_refuses_other_origins_on_every_transport(bot):
    url = f"{bot.rasa.url}/socket.io/?EIO=4&transport="
    for origin in [None, bot.rasa.url]:  # a script or server, and the bot's own page
        answer = requests.get(url + "polling", headers={"Origin": origin} if origin else {}, timeout=10)
        assert answer.status_code == 200 and answer.headers.get("Access-Control-Allow-Origin") == origin
    other = {"Origin": "http://elsewhere.example"}
    refused = [
        requests.get(url + "polling", headers=other, timeout=10),
        requests.options(url + "polling", timeout=10, headers={**other, "Access-Control-Request-Method": "POST"}),
        requests.get(url + "websocket", timeout=10, headers={
            **other, "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}),
    ]
    for answer in refused:
        assert answer.status_code == 400 and "Access-Control-Allow-Origin" not in answer.headers
        assert "not an accepted origin" in answer.text
