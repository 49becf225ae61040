"""The web chat channel at the HTTP level (bot.channels.webchat and the modules it uses).

The helper tests need no server. The others use the session's real bot (`bot` fixture: action
server + Rasa server with credentials.yml, which mounts the web chat), so they cost no extra
start-up. socket.io is in test_socketio_channel.py; the browser tests are in test_webchat_*.py.
"""
import json
import uuid

import pytest
import requests

from bot.channels import input_rules, webchat_requests as webchat
from bot.channels.origins import OriginPolicy, origin_allowed, parse_origins
from bot.channels.webchat import WebChatInput
from bot.channels.webchat_requests import RequestError, conversation_id, parse_message
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from tests.webchat_sites import greeting_buttons


def new_id() -> str:
    return uuid.uuid4().hex


# --- helpers, no server -----------------------------------------------------------------------------

def test_origins_are_parsed_and_normalised():
    assert parse_origins(" https://A.example/, http://localhost:8000  https://b.example ") == [
        "https://a.example", "http://localhost:8000", "https://b.example"]
    assert parse_origins("") == [] and parse_origins(None) == []


@pytest.mark.parametrize("origin, hosts, allowed, expected", [
    (None, ["bot:5005"], [], True),                                   # curl, same-origin GET
    ("http://bot:5005", ["bot:5005"], [], True),                      # the bot's own page
    ("https://chat.example", [None, "chat.example"], [], True),       # behind a TLS proxy
    ("https://site.example", ["bot:5005"], ["https://site.example"], True),
    ("https://site.example/", ["bot:5005"], ["https://site.example"], True),
    ("https://evil.example", ["bot:5005"], ["https://site.example"], False),
    ("http://site.example", ["bot:5005"], ["https://site.example"], False),  # scheme matters
    ("null", ["bot:5005"], [], False),                                # file:// or sandboxed frame
    ("https://anything.example", ["bot:5005"], ["*"], True),
])
def test_origin_policy(origin, hosts, allowed, expected):
    assert origin_allowed(origin, hosts, allowed) is expected


def test_one_policy_reads_the_setting_for_every_channel():
    policy = OriginPolicy(environ={"WEBCHAT_ALLOWED_ORIGINS": "https://site.example"})
    assert policy.allows("https://site.example", "bot:5005")
    assert policy.allows("https://chat.example", "internal:5005", "chat.example, proxy.internal")
    assert not policy.allows("https://evil.example", "bot:5005")
    # The same rule from a WSGI-style environ, as python-engineio hands it to socket.io's check.
    assert policy.allows_environ("http://bot:5005", {"HTTP_HOST": "bot:5005"})
    assert not policy.allows_environ("https://evil.example", {"HTTP_HOST": "bot:5005"})
    assert WebChatInput(allowed_origins=["https://site.example"]).origins.allowed == ["https://site.example"]


def test_conversation_ids_must_be_random_looking():
    raw = uuid.uuid4()
    assert conversation_id(raw.hex) == "webchat-" + raw.hex
    assert conversation_id(str(raw).upper()) == "webchat-" + raw.hex  # UUID form, any case
    for bad in ["default", "u1", "me", raw.hex[:31], raw.hex + "0", "g" * 32, None, 42, ["x"]]:
        with pytest.raises(RequestError) as error:
            conversation_id(bad)
        assert error.value.status == 400


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_message_bodies_are_validated():
    sender = new_id()
    ok = parse_message(body(sender=sender, message="  hi  "), 100, "/greet")
    assert ok == {"sender": "webchat-" + sender, "text": "hi", "metadata": {}}
    button = parse_message(body(sender=sender, message="/ask_shifts", label="Shift timings"), 100, "/greet")
    assert button["text"] == "/ask_shifts" and button["metadata"] == {"webchat": {"label": "Shift timings"}}
    greeting = parse_message(body(sender=sender, message="/greet", silent=True), 100, "/greet")
    assert greeting["metadata"] == {"webchat": {"silent": True}}
    # Typed text is never an intent payload.
    assert parse_message(body(sender=sender, message="/restart"), 100, "/greet")["text"] == "restart"

    cases = [
        (b"not json", 400), (b"\xff\xfe", 400), (b"[1, 2]", 400), (body(message="hi"), 400),
        (body(sender=sender), 400), (body(sender=sender, message="   "), 400),
        (body(sender=sender, message=7), 400), (body(sender=sender, message="x" * 101), 413),
        (b"{" + b" " * webchat.MAX_BODY_BYTES + b"}", 413),
        (body(sender=sender, message="hi", label=""), 400), (body(sender=sender, message="hi", label=3), 400),
        (body(sender=sender, message="/ask_shifts", silent=True), 400),  # only the greeting is silent
        (body(sender=sender, message="hi", silent="yes"), 400), (body(sender=sender, message="///"), 400),
    ]
    for raw, status in cases:
        with pytest.raises(RequestError) as error:
            parse_message(raw, 100, "/greet")
        assert error.value.status == status, raw[:60]


def test_message_limits_come_from_the_shared_rules():
    sender = new_id()
    limit = input_rules.MAX_MESSAGE_CHARS
    assert parse_message(body(sender=sender, message="x" * limit), limit, None)["text"] == "x" * limit
    with pytest.raises(RequestError) as error:
        parse_message(body(sender=sender, message="x" * (limit + 1)), limit, None)
    assert error.value.status == 413 and str(error.value) == f"`message` is longer than {limit} characters."
    with pytest.raises(ValueError):  # the web chat may tighten the shared limit, never loosen it
        WebChatInput(max_message_chars=limit + 1)
    assert WebChatInput().max_message_chars <= limit


def test_history_requests_are_validated():
    sender = new_id()
    assert webchat.parse_history_request(body(sender=sender)) == "webchat-" + sender
    for raw in [b"", b"null", body(), body(sender="default"), b"sender=" + sender.encode()]:
        with pytest.raises(RequestError):
            webchat.parse_history_request(raw)


def test_history_shows_what_the_person_saw():
    buttons = [{"title": "Shift timings", "payload": "/ask_shifts"}]
    events = [
        ActionExecuted("action_listen"),
        UserUttered("/greet", metadata={"webchat": {"silent": True}}),
        BotUttered("Hello <b>there</b>", data={"buttons": buttons}),
        UserUttered("/ask_shifts", metadata={"webchat": {"label": "Shift timings"}}),
        SlotSet("role", None),
        BotUttered("Nights happen.", data={"image": "javascript:alert(1)"}),
        UserUttered("typed words"),
    ]
    assert webchat.history(events) == [
        {"from": "bot", "text": "Hello <b>there</b>", "buttons": buttons},
        {"from": "user", "text": "Shift timings"},
        {"from": "bot", "text": "Nights happen."},
        {"from": "user", "text": "typed words"},
    ]
    assert len(webchat.history([UserUttered(f"m{i}") for i in range(300)], limit=200)) == 200


# --- the real bot over HTTP -------------------------------------------------------------------------

def post(bot, payload, **headers) -> requests.Response:
    data = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return requests.post(f"{bot.rasa.url}/webchat/message", data=data, headers=headers, timeout=60)


def history(bot, sender, **headers) -> requests.Response:
    return requests.post(f"{bot.rasa.url}/webchat/history", data=json.dumps({"sender": sender}), headers=headers,
                         timeout=30)


def test_root_is_the_chat_page_for_browsers_and_rasas_hello_for_others(bot):
    page = requests.get(bot.rasa.url + "/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<title>BPO Careers Assistant</title>" in page.text
    assert 'src="webchat/widget.js"' in page.text  # relative, so a proxy path prefix keeps working
    hello = requests.get(bot.rasa.url + "/")
    assert hello.status_code == 200 and hello.text.startswith("Hello from Rasa")


def test_widget_files_are_served_with_revalidation(bot):
    for name, kind in [("widget.js", "text/javascript"), ("widget.css", "text/css")]:
        first = requests.get(f"{bot.rasa.url}/webchat/{name}")
        assert first.status_code == 200 and first.headers["content-type"].startswith(kind)
        assert len(first.content) < 30_000  # small, hand-written, no framework
        again = requests.get(f"{bot.rasa.url}/webchat/{name}", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304


def test_message_gets_the_bots_reply_and_history_has_only_that_conversation(bot):
    mine, other = new_id(), new_id()
    greeting = post(bot, {"sender": mine, "message": "/greet", "silent": True})
    assert greeting.status_code == 200
    [hello] = greeting.json()["messages"]
    assert [b["title"] for b in hello["buttons"]] == greeting_buttons()

    reply = post(bot, {"sender": mine, "message": "what are the shift timings"},
                 **{"Content-Type": "text/plain;charset=UTF-8"})  # what the widget sends
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    assert "night and rotating shifts" in reply.json()["messages"][0]["text"]
    assert post(bot, {"sender": mine, "message": "/ask_entry_roles", "label": "Entry-level roles"}).ok
    assert post(bot, {"sender": other, "message": "what is bpo"}).ok

    data = history(bot, mine).json()
    assert data["title"] == "BPO Careers Assistant" and data["greeting"] == "/greet"
    said = [(m["from"], m["text"]) for m in data["messages"]]
    assert said[0] == ("bot", hello["text"])  # the silent greeting request is not shown
    assert ("user", "what are the shift timings") in said
    assert ("user", "Entry-level roles") in said  # a button shows its title, not its payload
    assert all(m["from"] == "bot" or m["text"] != "what is bpo" for m in data["messages"])
    assert history(bot, new_id()).json()["messages"] == []  # unknown id: nothing, not an error


def test_bad_requests_get_a_clear_4xx_and_no_trace(bot):
    cases = [
        (post(bot, b"hello"), 400), (post(bot, {"message": "hi"}), 400),
        (post(bot, {"sender": "default", "message": "hi"}), 400),
        (post(bot, {"sender": new_id(), "message": "x" * 1001}), 413),
        (post(bot, b"{" + b" " * 20000 + b"}"), 413),
        (history(bot, "default"), 400),
        (requests.post(f"{bot.rasa.url}/webchat/history"), 400),
    ]
    for answer, status in cases:
        assert answer.status_code == status
        assert set(answer.json()) == {"error"} and "Traceback" not in answer.text


def test_other_origins_are_refused_unless_listed(bot):
    sender = new_id()
    refused = post(bot, {"sender": sender, "message": "what is bpo"}, Origin="http://elsewhere.example")
    assert refused.status_code == 403
    assert "WEBCHAT_ALLOWED_ORIGINS" in refused.json()["error"]
    assert history(bot, sender, Origin="http://elsewhere.example").status_code == 403
    assert history(bot, sender).json()["messages"] == []  # the refused message was never handled

    own = bot.rasa.url  # the page served by the bot itself
    same = post(bot, {"sender": sender, "message": "what is bpo"}, Origin=own)
    assert same.status_code == 200 and same.headers["Access-Control-Allow-Origin"] == own
    proxied = history(bot, sender, Origin="https://chat.example", **{"X-Forwarded-Host": "chat.example"})
    assert proxied.status_code == 200
