"""The web chat in a real browser (Debian's Chromium driven by Playwright) against the real bot.

This module starts its own bot, because it needs what the shared one has not: a SQLite tracker
store (so a server restart can be tested), WEBCHAT_ALLOWED_ORIGINS naming one of two local "host
sites", and the right to stop the Rasa server. The restart test runs last.

Needs /usr/bin/chromium (`apt-get install -y chromium`); Playwright's own browser downloads are
never used.
"""
import json
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.servers import ROOT, free_port, start_actions, start_rasa
from tests.webchat_sites import greeting_button, greeting_buttons, host_site, prefix_proxy

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOT = ROOT / "docs" / "webchat.png"
GREETING = "I'm the BPO Careers Assistant"
GREETING_BUTTONS = greeting_buttons()
ENTRY_ROLES = greeting_button("/ask_entry_roles")
ENDPOINTS = """\
action_endpoint:
  url: ${{ACTION_SERVER_URL}}
tracker_store:
  type: SQL
  dialect: sqlite
  db: {db}
"""

expect.set_options(timeout=30_000)  # the first answers of a fresh server take a moment


class Bot:
    """Action server + Rasa server (web chat channel, SQLite tracker store) that can be restarted."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.allowed, self.refused = host_site(self.url), host_site(self.url)
        self.proxy = prefix_proxy(self.url, "/bot/")
        endpoints = tmp / "endpoints.yml"
        endpoints.write_text(ENDPOINTS.format(db=tmp / "conversations.db"))
        self.rasa_args = dict(port=self.port, endpoints=str(endpoints),
                              env={"WEBCHAT_ALLOWED_ORIGINS": self.allowed.origin})
        self.actions = self.rasa = None

    def start(self):
        self.actions = start_actions(name="webchat-actions")
        self.actions_port = int(self.actions.health.rsplit(":", 1)[1].split("/")[0])
        self.start_rasa("webchat-rasa")

    def start_rasa(self, name: str):
        self.rasa = start_rasa(self.actions_port, name=name, **self.rasa_args)

    def stop_rasa(self):
        self.rasa.stop()

    def stop(self):
        for server in (self.rasa, self.actions):
            if server:
                server.stop()
        for site in (self.allowed, self.refused, self.proxy):
            site.stop()


@pytest.fixture(scope="module")
def webchat_bot(tmp_path_factory):
    bot = Bot(tmp_path_factory.mktemp("webchat"))
    try:
        bot.start()
        yield bot
    finally:
        bot.stop()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get update && apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """A fresh browser profile per test (its own localStorage, so its own conversation)."""
    contexts = []

    def make(width: int = 1000, height: int = 760):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        return page

    yield make
    for context in contexts:
        context.close()


# --- what a person does and sees (locators pierce the widget's open shadow root) ----------------------

def bot_bubbles(page):
    return page.locator(".msg.bot:not(.typing) .bubble")


def user_bubbles(page):
    return page.locator(".msg.user .bubble")


def box(page):
    return page.get_by_role("textbox", name="Your message")


def ask(page, text: str):
    box(page).fill(text)
    box(page).press("Enter")


def reply_button(page, title: str):
    return page.get_by_role("group", name="Suggested replies").get_by_role("button", name=title)


def open_chat(page, url: str):
    page.goto(url)
    page.get_by_role("button", name="Open chat").click()


def texts(locator):
    return [t.strip() for t in locator.all_text_contents()]


def conversation_of(page, bot_url: str) -> str:
    return page.evaluate("key => localStorage.getItem(key)", f"webchat:{bot_url}/:id")


def greeted(page):
    expect(bot_bubbles(page).first).to_contain_text(GREETING)
    for title in GREETING_BUTTONS:
        expect(reply_button(page, title)).to_be_visible()


# --- the page at / ------------------------------------------------------------------------------------

def test_page_shows_the_greeting_with_quick_replies(webchat_bot, new_page):
    page = new_page()
    page.goto(webchat_bot.url + "/")
    expect(page).to_have_title("BPO Careers Assistant")
    expect(page.get_by_role("heading", name="BPO Careers Assistant")).to_be_visible()
    greeted(page)
    expect(user_bubbles(page)).to_have_count(0)  # the widget asked for the greeting silently
    expect(bot_bubbles(page)).to_have_count(1)
    assert page.errors == []


def test_a_question_is_answered_with_the_fact(webchat_bot, new_page):
    page = new_page()
    page.goto(webchat_bot.url + "/")
    greeted(page)
    # The typing indicator may come and go within milliseconds, so the page records whether it
    # appeared at all.
    page.evaluate("""() => {
        const log = document.getElementById("webchat-widget").shadowRoot.querySelector(".log");
        window.typingShown = false;
        new MutationObserver(() => { window.typingShown ||= !!log.querySelector(".typing"); })
            .observe(log, {childList: true});
    }""")
    ask(page, "what are the shift timings")
    expect(user_bubbles(page).last).to_contain_text("what are the shift timings")
    expect(bot_bubbles(page).nth(1)).to_contain_text("night and rotating shifts")
    expect(box(page)).to_have_value("")
    assert page.evaluate("window.typingShown") is True
    expect(page.locator(".typing")).to_have_count(0)


def test_a_quick_reply_sends_its_payload_and_shows_its_title(webchat_bot, new_page):
    page = new_page()
    page.goto(webchat_bot.url + "/")
    greeted(page)
    reply_button(page, ENTRY_ROLES).click()
    expect(user_bubbles(page)).to_have_count(1)
    expect(user_bubbles(page).first).to_contain_text(ENTRY_ROLES)
    expect(user_bubbles(page).first).not_to_contain_text("/ask_entry_roles")
    expect(bot_bubbles(page).nth(1)).to_contain_text("Customer Service Executive")
    assert page.locator(".replies").count() <= 1  # the greeting's replies went; only the answer's may show


def test_a_follow_up_uses_the_context_and_a_reload_keeps_the_conversation(webchat_bot, new_page):
    page = new_page()
    page.goto(webchat_bot.url + "/")
    greeted(page)
    ask(page, "what does a DEO do")
    expect(bot_bubbles(page).nth(1)).to_contain_text("Data Entry Operator")
    ask(page, "what skills do I need for it?")
    expect(bot_bubbles(page).nth(2)).to_contain_text("Typing speed and accuracy")
    before = (texts(user_bubbles(page)), texts(bot_bubbles(page)))

    page.reload()
    expect(bot_bubbles(page)).to_have_count(3)  # history, and no second greeting
    assert (texts(user_bubbles(page)), texts(bot_bubbles(page))) == before


def test_markup_in_messages_is_shown_as_text(webchat_bot, new_page):
    page = new_page()
    page.goto(webchat_bot.url + "/")
    greeted(page)
    markup = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold?</b>'
    ask(page, markup)
    expect(user_bubbles(page).first).to_contain_text(markup)
    expect(bot_bubbles(page)).to_have_count(2)
    page.reload()  # the same text read back from history
    expect(user_bubbles(page).first).to_contain_text(markup)

    # The bot's side: this bot never sends markup, so one reply is substituted in the browser.
    fake = {"messages": [{"from": "bot", "text": '<img src=y onerror="window.pwned=3"> see '
                          'https://example.org/jobs. or [the guide](https://example.org/guide) '
                          'but not [this](javascript:window.pwned=4)'}]}
    page.route("**/webchat/message", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(fake)))
    ask(page, "show me markup")
    last = bot_bubbles(page).last
    expect(last).to_contain_text('<img src=y onerror="window.pwned=3">')
    expect(last.locator("a")).to_have_count(2)
    assert last.locator("a").first.get_attribute("href") == "https://example.org/jobs"
    assert last.locator("a").nth(1).get_attribute("href") == "https://example.org/guide"
    assert last.locator("a").first.get_attribute("rel") == "noopener noreferrer"
    page.wait_for_timeout(300)  # give an injected handler the chance to fire
    assert page.locator(".log img, .log script, .log b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_start_over_begins_a_new_conversation(webchat_bot, new_page):
    page = new_page()
    page.goto(webchat_bot.url + "/")
    greeted(page)
    ask(page, "what is bpo")
    expect(bot_bubbles(page)).to_have_count(2)
    first_id = conversation_of(page, webchat_bot.url)

    page.get_by_role("button", name="Start over").click()
    expect(bot_bubbles(page)).to_have_count(1)
    greeted(page)
    expect(user_bubbles(page)).to_have_count(0)
    assert conversation_of(page, webchat_bot.url) not in (None, first_id)
    page.reload()
    expect(bot_bubbles(page)).to_have_count(1)


def test_works_behind_a_reverse_proxy_under_a_path_prefix(webchat_bot, new_page):
    page = new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(webchat_bot.proxy.url)  # http://127.0.0.1:<proxy>/bot/
    greeted(page)
    ask(page, "what are the shift timings")
    expect(bot_bubbles(page).nth(1)).to_contain_text("night and rotating shifts")
    assert requested and all(url.startswith(webchat_bot.proxy.url) for url in requested), requested


# --- the embedded widget --------------------------------------------------------------------------------

def test_embedded_widget_works_on_an_allowed_site(webchat_bot, new_page):
    page = new_page()
    open_chat(page, webchat_bot.allowed.url)
    greeted(page)
    ask(page, "what are the shift timings")
    expect(bot_bubbles(page).nth(1)).to_contain_text("night and rotating shifts")
    # The host page's `button { background: red }` does not reach the widget.
    send = page.get_by_role("button", name="Send message")
    assert send.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(255, 0, 0)"
    page.reload()  # the panel stays open and the conversation is still there
    expect(bot_bubbles(page)).to_have_count(2)
    assert page.errors == []


def test_embedded_widget_is_refused_on_a_site_not_allowed(webchat_bot, new_page):
    page = new_page()
    open_chat(page, webchat_bot.refused.url)
    expect(page.get_by_role("alert")).to_contain_text("not allowed")
    ask(page, "what is bpo")
    expect(page.get_by_role("alert")).to_contain_text("not allowed")
    expect(box(page)).to_have_value("what is bpo")  # kept
    expect(bot_bubbles(page)).to_have_count(0)
    sender = conversation_of(page, webchat_bot.url)
    stored = requests.post(f"{webchat_bot.url}/webchat/history", json={"sender": sender}, timeout=30).json()
    assert stored["messages"] == []  # refused on the server: the bot handled nothing


def test_keyboard_only(webchat_bot, new_page):
    page = new_page()
    page.goto(webchat_bot.allowed.url)
    launcher = page.get_by_role("button", name="Open chat")
    for _ in range(5):  # Tab through the host page until the launcher has focus
        page.keyboard.press("Tab")
        if launcher.evaluate("b => b.getRootNode().activeElement === b"):
            break
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Close chat:")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("dialog", name="BPO Careers Assistant")).to_be_visible()
    greeted(page)
    expect(box(page)).to_be_focused()
    expect(page.get_by_role("log", name="Conversation")).to_be_visible()

    page.keyboard.type("what are the shift timings")
    page.keyboard.press("Enter")
    expect(bot_bubbles(page).nth(1)).to_contain_text("night and rotating shifts")
    page.keyboard.press("Shift+Tab")  # from the box back to the last suggested reply
    focused = page.evaluate("document.activeElement.shadowRoot.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(user_bubbles(page).last).to_contain_text(focused)
    expect(bot_bubbles(page)).to_have_count(3)

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Open chat")).to_be_focused()


@pytest.mark.parametrize("where", ["page", "embedded"])
def test_usable_on_a_360px_phone(webchat_bot, new_page, where):
    page = new_page(width=360, height=740)
    if where == "page":
        page.goto(webchat_bot.url + "/")
    else:
        open_chat(page, webchat_bot.allowed.url)
    greeted(page)
    ask(page, "what are the shift timings")
    expect(bot_bubbles(page).nth(1)).to_contain_text("night and rotating shifts")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360  # nothing sideways
    for part in [box(page), page.get_by_role("button", name="Send message"), bot_bubbles(page).nth(1),
                 page.get_by_role("heading", name="BPO Careers Assistant")]:
        area = part.bounding_box()
        assert area["x"] >= 0 and area["x"] + area["width"] <= 360, area
        assert area["y"] >= 0 and area["y"] + area["height"] <= 740, area


def test_screenshot_of_a_real_conversation(webchat_bot, new_page):
    page = new_page(width=900, height=900)
    page.goto(webchat_bot.url + "/")
    greeted(page)
    reply_button(page, ENTRY_ROLES).click()
    expect(bot_bubbles(page).nth(1)).to_contain_text("Customer Service Executive")
    ask(page, "what does a DEO do")
    expect(bot_bubbles(page).nth(2)).to_contain_text("Data Entry Operator")
    ask(page, "what skills do I need for it?")
    expect(bot_bubbles(page).nth(3)).to_contain_text("Typing speed and accuracy")
    box(page).blur()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000


# --- runs last: it stops and restarts the Rasa server ---------------------------------------------------

def test_bot_stopped_then_restarted(webchat_bot, new_page):
    page = new_page()
    page.goto(webchat_bot.url + "/")
    greeted(page)
    ask(page, "what are the shift timings")
    expect(bot_bubbles(page).nth(1)).to_contain_text("night and rotating shifts")

    suggested = texts(page.locator(".reply"))

    webchat_bot.stop_rasa()
    ask(page, "what is bpo")
    expect(page.get_by_role("alert")).to_contain_text("can't be reached")
    expect(box(page)).to_have_value("what is bpo")  # nothing typed is lost
    expect(user_bubbles(page)).to_have_count(1)  # no bubble for a message that was not sent
    assert texts(page.locator(".reply")) == suggested  # the suggested replies are still offered

    webchat_bot.start_rasa("webchat-rasa-restarted")
    page.reload()  # history from the SQLite tracker store; the unsent text is still in the box
    expect(bot_bubbles(page)).to_have_count(2)
    expect(bot_bubbles(page).nth(1)).to_contain_text("night and rotating shifts")
    expect(box(page)).to_have_value("what is bpo")
    box(page).press("Enter")
    expect(bot_bubbles(page).nth(2)).to_contain_text("outside provider")
    expect(page.get_by_role("alert")).to_be_hidden()
