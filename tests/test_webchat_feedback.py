"""👍/👎 in the web chat's own page, in a real browser (Debian's Chromium driven by Playwright) against
the real bot (tests/webchat_browser.py: Rasa and action servers, a SQLite store read directly).

A person rates an answer by mouse or keyboard; the bot's reply shows, the rating never shows as a
bubble, the store holds it tied to the answer, the controls keep the choice (after a reload too),
and the conversation goes on as if the rating had not been sent. HTTP-level checks are in
test_webchat_feedback_http.py.
"""
from playwright.sync_api import expect

from tests.stack import stored_events
from tests.webchat_browser import ask, bot_bubbles, box, conversation_of, greeted, open_chat, texts, user_bubbles
from tests.webchat_browser import browser, new_page, webchat_bot  # noqa: F401 - pytest fixtures

THANKS = "Thanks, glad it helped"
ASK_WHAT = "What were you looking for?"
DECLINE = "outside what I know"
NOT_COVERED = "doesn't cover salaries"


def controls(page):
    return page.get_by_role("group", name="Rate this answer")


def helpful(group):
    return group.get_by_role("button", name="Helpful", exact=True)


def not_helpful(group):
    return group.get_by_role("button", name="Not helpful", exact=True)


def store_events(bot, page) -> list:
    return stored_events(f"sqlite:///{bot.db}", "webchat-" + conversation_of(page, bot.url))


def ratings_in_store(bot, page) -> list:
    return [e["value"] for e in store_events(bot, page) if e.get("event") == "slot" and e.get("name") == "feedback"]


def open_page(bot, new_page):
    page = new_page()
    page.goto(bot.url + "/")
    greeted(page)
    return page


def shows_rated(group, chosen: str) -> None:
    for button in (helpful(group), not_helpful(group)):
        expect(button).to_be_disabled()
    expect(helpful(group)).to_have_attribute("aria-pressed", str(chosen == "helpful").lower())
    expect(not_helpful(group)).to_have_attribute("aria-pressed", str(chosen == "not_helpful").lower())


def test_greetings_declines_and_the_bots_thanks_have_no_controls(webchat_bot, new_page):
    page = open_page(webchat_bot, new_page)
    ask(page, "can you recommend a good pizza place nearby?")
    expect(bot_bubbles(page).nth(1)).to_contain_text(DECLINE)
    ask(page, "what's the salary?")
    expect(bot_bubbles(page).nth(2)).to_contain_text(NOT_COVERED)
    ask(page, "what are the shift timings")
    expect(bot_bubbles(page).nth(3)).to_contain_text("night and rotating shifts")
    expect(controls(page)).to_have_count(1)  # the answer's only
    helpful(controls(page)).click()
    expect(bot_bubbles(page).nth(4)).to_contain_text(THANKS)
    expect(controls(page)).to_have_count(1)
    assert page.errors == []


def test_helpful_is_stored_with_its_answer_and_the_controls_keep_it(webchat_bot, new_page):
    page = open_page(webchat_bot, new_page)
    ask(page, "what are the shift timings")
    expect(bot_bubbles(page).nth(1)).to_contain_text("night and rotating shifts")
    group = controls(page).first
    expect(group).to_be_visible()
    # Apart from the follow-up buttons: not inside their group, not in their style.
    expect(page.locator(".replies .rate")).to_have_count(0)
    answer_id = group.get_attribute("data-answer-id")

    helpful(group).click()
    expect(bot_bubbles(page).nth(2)).to_contain_text(THANKS)
    shows_rated(group, "helpful")
    expect(user_bubbles(page)).to_have_count(1)  # the payload was sent without a bubble
    [rating] = ratings_in_store(webchat_bot, page)
    assert (rating["answer_id"], rating["rating"], rating["about"]) == (answer_id, "helpful", "shifts")
    assert "night and rotating shifts" in rating["answer_text"]

    not_helpful(group).click(force=True)  # disabled: nothing is sent
    page.wait_for_timeout(500)
    expect(bot_bubbles(page)).to_have_count(3)
    assert len(ratings_in_store(webchat_bot, page)) == 1
    assert page.errors == []


def test_not_helpful_by_keyboard_then_the_comment_is_the_next_message(webchat_bot, new_page):
    page = open_page(webchat_bot, new_page)
    ask(page, "what does a DEO do")
    expect(bot_bubbles(page).nth(1)).to_contain_text("Data Entry Operator")
    group = controls(page).first
    not_helpful(group).focus()
    page.keyboard.press("Enter")
    expect(bot_bubbles(page).nth(2)).to_contain_text(ASK_WHAT)
    shows_rated(group, "not_helpful")
    expect(box(page)).to_be_focused()  # the disabled button gave the focus back to the message box

    comment = "I wanted to know how fast I must type"
    ask(page, comment)
    expect(user_bubbles(page).last).to_contain_text(comment)
    expect(bot_bubbles(page)).to_have_count(4)
    events = store_events(webchat_bot, page)
    slot = next(i for i, e in enumerate(events) if e.get("event") == "slot" and e.get("name") == "feedback")
    assert (events[slot]["value"]["rating"], events[slot]["value"]["about"]) == ("not_helpful", "data_entry_operator")
    said_next = [e.get("text") for e in events[slot:] if e.get("event") == "user"]
    assert said_next == [comment]
    assert page.errors == []


def test_a_rating_keeps_the_list_and_a_reload_keeps_the_ratings(webchat_bot, new_page):
    page = open_page(webchat_bot, new_page)
    ask(page, "which jobs can a fresher get?")
    expect(bot_bubbles(page).nth(1)).to_contain_text("Customer Service Executive")
    helpful(controls(page).last).click()
    expect(bot_bubbles(page).nth(2)).to_contain_text(THANKS)
    ask(page, "tell me about the second one")  # the list on screen before the rating is still the one
    expect(bot_bubbles(page).nth(3)).to_contain_text("Technical Support Associate")
    not_helpful(controls(page).last).click()
    expect(bot_bubbles(page).nth(4)).to_contain_text(ASK_WHAT)
    expect(controls(page)).to_have_count(2)
    before = (texts(user_bubbles(page)), texts(bot_bubbles(page)))
    assert before[0] == ["You: which jobs can a fresher get?", "You: tell me about the second one"]

    page.reload()
    expect(bot_bubbles(page)).to_have_count(5)
    assert (texts(user_bubbles(page)), texts(bot_bubbles(page))) == before  # no payload bubbles
    expect(controls(page)).to_have_count(2)
    shows_rated(controls(page).first, "helpful")
    shows_rated(controls(page).last, "not_helpful")
    assert [r["rating"] for r in ratings_in_store(webchat_bot, page)] == ["helpful", "not_helpful"]
    assert page.errors == []


def test_the_embedded_widget_on_another_site_loads_the_controls_too(webchat_bot, new_page):
    page = new_page()
    open_chat(page, webchat_bot.allowed.url)  # feedback.js comes from the bot, not from this site
    greeted(page)
    ask(page, "what are the shift timings")
    expect(bot_bubbles(page).nth(1)).to_contain_text("night and rotating shifts")
    group = controls(page).first
    helpful(group).click()
    expect(bot_bubbles(page).nth(2)).to_contain_text(THANKS)
    shows_rated(group, "helpful")
    assert [r["rating"] for r in ratings_in_store(webchat_bot, page)] == ["helpful"]
    assert page.errors == []
