"""What the browser tests of the web chat share: their bot, Chromium, fresh pages, and the helpers
that act and look like a person (locators pierce the widget's open shadow root).

The test modules import the fixtures by name (`from tests.webchat_browser import browser, new_page,
webchat_bot`). The bot is started once per pytest session, whichever module asks first, because
each Rasa start costs seconds to tens of seconds here. It has what the shared REST bot has not: a
SQLite tracker store (so a restart can be tested and trackers read), WEBCHAT_ALLOWED_ORIGINS naming
some local "host sites" and not others, and the right to be stopped and started again (it comes
back on the same port, with the same sites).

Needs /usr/bin/chromium (`apt-get install -y chromium`); Playwright's own browser downloads are
never used.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import List

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.servers import free_port, start_actions, start_rasa
from tests.webchat_sites import greeting_button, greeting_buttons, host_site, prefix_proxy, rasa_webchat_site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
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
    """Action server + Rasa server (credentials.yml: web chat and socket.io; SQLite tracker store)
    that can be restarted, and the local sites around it: `allowed` and `refused` embed the web
    chat's widget, `rasa_webchat` and `rasa_webchat_refused` embed rasa-webchat, `proxy` serves the
    bot under /bot/. Only `allowed` and `rasa_webchat` are in WEBCHAT_ALLOWED_ORIGINS."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.allowed, self.refused = host_site(self.url), host_site(self.url)
        self.rasa_webchat, self.rasa_webchat_refused = rasa_webchat_site(self.url), rasa_webchat_site(self.url)
        self.proxy = prefix_proxy(self.url, "/bot/")
        self.db = tmp / "conversations.db"
        endpoints = tmp / "endpoints.yml"
        endpoints.write_text(ENDPOINTS.format(db=self.db))
        allowed = f"{self.allowed.origin}, {self.rasa_webchat.origin}"  # one setting for both channels
        self.rasa_args = dict(port=self.port, endpoints=str(endpoints), env={"WEBCHAT_ALLOWED_ORIGINS": allowed})
        self.actions = self.rasa = None

    def start(self) -> None:
        self.actions = start_actions(name="webchat-actions")
        self.actions_port = int(self.actions.health.rsplit(":", 1)[1].split("/")[0])
        self.start_rasa("webchat-rasa")

    def start_rasa(self, name: str) -> None:
        self.rasa = start_rasa(self.actions_port, name=name, **self.rasa_args)

    def stop_rasa(self) -> None:
        self.rasa.stop()

    def stop(self) -> None:
        for server in (self.rasa, self.actions):
            if server:
                server.stop()
        for site in (self.allowed, self.refused, self.rasa_webchat, self.rasa_webchat_refused, self.proxy):
            site.stop()

    def user_texts(self, sender: str) -> List[str]:
        """What the person said in conversation `sender`, as Rasa's tracker store holds it."""
        with sqlite3.connect(self.db) as db:
            rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                              (sender,)).fetchall()
        return [json.loads(data).get("text") for (data,) in rows]


_shared: dict = {}


@pytest.fixture(scope="module")
def webchat_bot(tmp_path_factory, pytestconfig):
    """The browser tests' Bot, started for the first module that asks, stopped at the session's end."""
    if "bot" not in _shared:
        bot = Bot(tmp_path_factory.mktemp("webchat"))
        pytestconfig.add_cleanup(lambda: _shared.pop("bot").stop())
        _shared["bot"] = bot  # registered before starting, so a failed start still stops what it began
        bot.start()
    return _shared["bot"]


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
    """A fresh browser profile per test (its own storage, so its own conversation). `page.errors`
    collects uncaught page errors."""
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


# --- the project's widget: what a person does and sees ------------------------------------------------

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
