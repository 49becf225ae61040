"""rasa-webchat 1.0.1, the widget many Rasa sites already embed, on another origin, talking socket.io
to the real bot (bot.channels.socketio_fixed), in Debian's Chromium driven by Playwright.

The widget is the vendored bundle (tests/vendor/), served by a local site as a customer would
(`WebChat.default({socketUrl: <bot>, socketPath: "/socket.io/", initPayload: "/greet", params:
{storage}})`). One site's origin is in WEBCHAT_ALLOWED_ORIGINS, the other's is not. Shared bot,
browser and helpers: tests/webchat_browser.py.
"""
import json

import pytest
import requests
from playwright.sync_api import expect

from bot.channels.input_rules import MAX_MESSAGE_CHARS
from tests.webchat_browser import ENTRY_ROLES, GREETING, GREETING_BUTTONS
from tests.webchat_browser import browser, new_page, webchat_bot  # noqa: F401 - pytest fixtures

STORAGE = {"session": "sessionStorage", "local": "localStorage"}


def open_widget(page, site_url: str, storage: str = "session"):
    page.goto(site_url + ("?storage=local" if storage == "local" else ""))
    page.locator(".rw-launcher").click()  # shown only once the socket is connected


def bot_says(page):
    return page.locator(".rw-response")


def type_message(page, text: str):
    page.locator(".rw-new-message").fill(text)
    page.locator(".rw-new-message").press("Enter")


def session_id(page, storage: str) -> str:
    stored = page.evaluate(f"() => {STORAGE[storage]}.getItem('chat_session')")
    return json.loads(stored)["session_id"]


def rest_answer(bot_url: str, text: str) -> str:
    """The same question over REST (another conversation): the text other channels get."""
    replies = requests.post(f"{bot_url}/webhooks/rest/webhook", json={"sender": f"rest-{text}", "message": text},
                            timeout=60).json()
    return "\n".join(reply["text"] for reply in replies if reply.get("text"))


def test_listed_origin_gets_cors_headers_from_socketio(webchat_bot):
    origin = webchat_bot.rasa_webchat.origin
    handshake = requests.get(f"{webchat_bot.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin},
                             timeout=10)
    assert handshake.status_code == 200 and handshake.headers["Access-Control-Allow-Origin"] == origin
    preflight = requests.options(f"{webchat_bot.url}/socket.io/?EIO=4&transport=polling", timeout=10, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    refused = requests.get(f"{webchat_bot.url}/socket.io/?EIO=4&transport=polling", timeout=10,
                           headers={"Origin": webchat_bot.rasa_webchat_refused.origin})
    assert refused.status_code == 400 and "Access-Control-Allow-Origin" not in refused.headers


def test_allowed_site_greeting_button_question_and_line_breaks(webchat_bot, new_page):
    page = new_page()
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    open_widget(page, webchat_bot.rasa_webchat.url)
    expect(bot_says(page).first).to_contain_text(GREETING)  # from initPayload "/greet"
    for title in GREETING_BUTTONS:
        expect(page.locator(".rw-reply", has_text=title)).to_be_visible()

    page.locator(".rw-reply", has_text=ENTRY_ROLES).click()
    expect(page.locator(".rw-client").last).to_contain_text(ENTRY_ROLES)
    answer = bot_says(page).nth(1)
    expect(answer).to_contain_text("Customer Service Executive")
    # Rendered as Markdown, each line of the bot's text is still a line of its own: the same lines,
    # in the same order, as the plain text REST returns for the same question.
    lines = [line.strip() for line in answer.inner_text().split("\n") if line.strip()]
    assert lines == rest_answer(webchat_bot.url, "/ask_entry_roles").split("\n")
    assert len(lines) >= 2

    type_message(page, "what are the shift timings")
    expect(page.locator(".rw-client").last).to_contain_text("what are the shift timings")
    expect(bot_says(page).last).to_contain_text("night and rotating shifts")
    # socket.io-client upgraded to a websocket: the origin check let that transport through too.
    assert any("/socket.io/" in url and "transport=websocket" in url for url in sockets), sockets
    assert page.errors == []


def test_allowed_site_shows_why_a_message_was_refused(webchat_bot, new_page):
    page = new_page()
    open_widget(page, webchat_bot.rasa_webchat.url)
    expect(bot_says(page).first).to_contain_text(GREETING)
    type_message(page, "x" * (MAX_MESSAGE_CHARS + 1))
    # The error event is a bot message the widget shows as it is; the text never reached Rasa.
    expect(bot_says(page).last).to_contain_text(f"longer than {MAX_MESSAGE_CHARS} characters")
    assert webchat_bot.user_texts(session_id(page, "session")) == ["/greet"]


@pytest.mark.parametrize("storage", ["session", "local"])
def test_allowed_site_conversation_survives_a_reload(webchat_bot, new_page, storage):
    page = new_page()
    open_widget(page, webchat_bot.rasa_webchat.url, storage)
    expect(bot_says(page).first).to_contain_text(GREETING)
    type_message(page, "what does a DEO do")
    expect(bot_says(page).last).to_contain_text("Data Entry Operator")
    before = session_id(page, storage)

    page.reload()  # the widget reopens itself and shows the stored messages
    expect(bot_says(page).last).to_contain_text("Data Entry Operator")
    type_message(page, "what skills do I need for it?")  # "it" = the role from before the reload
    expect(bot_says(page).last).to_contain_text("What the Data Entry Operator role asks of you")
    assert session_id(page, storage) == before
    # One Rasa conversation holds everything, and the greeting was not sent a second time.
    assert webchat_bot.user_texts(before) == ["/greet", "what does a DEO do", "what skills do I need for it?"]


def test_site_not_listed_gets_no_connection(webchat_bot, new_page):
    page = new_page()
    tried, failed, answered, sockets = [], [], [], []
    socketio = lambda request: "/socket.io/" in request.url  # noqa: E731
    page.on("request", lambda request: socketio(request) and tried.append(request.url))
    # A response the browser's CORS check rejects surfaces as a failed request, not as a response.
    page.on("requestfailed", lambda request: socketio(request) and failed.append(request.failure))
    page.on("response", lambda response: socketio(response.request) and answered.append(response.status))
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(webchat_bot.rasa_webchat_refused.url)
    for _ in range(40):  # it tries, and retries after a second or so
        if len(failed) >= 2:
            break
        page.wait_for_timeout(500)
    page.wait_for_timeout(1000)

    assert len(tried) >= 2 and len(failed) == len(tried), (tried, failed)
    assert answered == [] and sockets == []
    expect(page.locator(".rw-launcher")).to_be_hidden()  # rasa-webchat shows no launcher until connected
    expect(bot_says(page)).to_have_count(0)
