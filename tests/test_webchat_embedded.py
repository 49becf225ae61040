"""The web chat's widget embedded with one script tag on other sites, in a real browser (Debian's
Chromium driven by Playwright) against the real bot: an allowed site, a site not listed in
WEBCHAT_ALLOWED_ORIGINS, keyboard-only use, and a 360 px phone (also for the bot's own page).

Shared bot, browser and helpers: tests/webchat_browser.py.
"""
import pytest
import requests
from playwright.sync_api import expect

from tests.webchat_browser import ask, bot_bubbles, box, conversation_of, greeted, open_chat, user_bubbles
from tests.webchat_browser import browser, new_page, webchat_bot  # noqa: F401 - pytest fixtures


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
