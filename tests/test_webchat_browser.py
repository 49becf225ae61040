"""The web chat's own page (`/` on the bot) in a real browser (Debian's Chromium driven by
Playwright) against the real bot: greeting, answers, quick replies, context and reloads, markup
shown as text, starting over, a reverse proxy, a screenshot for the README, and a server restart.

The embedded widget on other sites is in test_webchat_embedded.py, rasa-webchat over socket.io in
test_webchat_rasa_webchat.py; the bot, Chromium and the helpers are in tests/webchat_browser.py.
The restart test runs last in this module; the bot comes back on the same port, so modules that
run after it are unaffected.
"""
import json

from playwright.sync_api import expect

from tests.servers import ROOT
from tests.webchat_browser import (ENTRY_ROLES, ask, bot_bubbles, box, conversation_of, greeted, reply_button,
                                   texts, user_bubbles)
from tests.webchat_browser import browser, new_page, webchat_bot  # noqa: F401 - pytest fixtures

SCREENSHOT = ROOT / "docs" / "webchat.png"


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
    expect(bot_bubbles(page).nth(2)).to_contain_text("What the Data Entry Operator role asks of you")
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


def test_screenshot_of_a_real_conversation(webchat_bot, new_page):
    page = new_page(width=900, height=900)
    page.goto(webchat_bot.url + "/")
    greeted(page)
    reply_button(page, ENTRY_ROLES).click()
    expect(bot_bubbles(page).nth(1)).to_contain_text("Customer Service Executive")
    ask(page, "what does a DEO do")
    expect(bot_bubbles(page).nth(2)).to_contain_text("Data Entry Operator")
    ask(page, "what skills do I need for it?")
    expect(bot_bubbles(page).nth(3)).to_contain_text("What the Data Entry Operator role asks of you")
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
