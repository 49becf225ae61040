"""bot/store_reader.py: the one reader of the store behind `make report` and the operator page.

Conversations are made by hand from Rasa's own event classes and saved by Rasa's own SQL tracker
store into a real SQLite file, so the reader's SQL runs against the table Rasa writes. The same
helpers (`Script`, `save`) fill the stores of the page and retention tests.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from typing import List, Optional, Sequence, Tuple

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered,
                                     UserUtteranceReverted)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import store_reader
from bot.store_reader import Builder, between, read
from tests.services import fresh_database, postgres_server

NOW = time.time()
DAY = 86400.0


class Script:
    """One conversation's events, as the bot stores them, written turn by turn."""

    def __init__(self, sender: Optional[str] = None, start: float = NOW):
        self.sender = sender or f"hand-{uuid.uuid4().hex[:8]}"
        self.clock = start
        self.events: List[Event] = []
        self.answers: List[str] = []
        self._add(ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"))

    def _add(self, *events: Event) -> None:
        for event in events:
            self.clock += 0.01
            event.timestamp = self.clock
            self.events.append(event)

    def user(self, text: str, intent: str, confidence: float = 0.95,
             ranking: Sequence[Tuple[str, float]] = ()) -> None:
        ranking = list(ranking) or [(intent, confidence), ("thanks", round(1 - confidence, 3))]
        parse = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text,
                 "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]}
        self._add(UserUttered(text, parse["intent"], [], parse))

    def answer(self, about: str, action: str = "action_answer_topic", text: str = "An answer.") -> str:
        """A rateable answer about `about`; returns its answer id."""
        answer_id = uuid.uuid4().hex[:12]
        self._add(ActionExecuted(action), BotUttered(text, metadata={"answer_id": answer_id, "answer_about": about}),
                  ActionExecuted("action_listen"))
        self.answers.append(answer_id)
        return answer_id

    def reply(self, action: str, text: str = "A reply.") -> None:
        self._add(ActionExecuted(action), BotUttered(text), ActionExecuted("action_listen"))

    def rate(self, rating: str, answer_id: Optional[str] = None, counted: bool = True, about: str = "shifts",
             comment_asked: bool = True) -> None:
        """The rating message and what action_rate_answer stores for it (bot/feedback.py)."""
        answer_id = answer_id or self.answers[-1]
        self.user(f'/{rating}{{"answer_id": "{answer_id}"}}', rating, 1.0)
        self._add(ActionExecuted("action_rate_answer"), BotUttered("Thanks."))
        if counted:
            self._add(SlotSet("feedback", {"answer_id": answer_id, "rating": rating, "about": about,
                                           "answer_text": "An answer.", "comment_asked": comment_asked}))
        self._add(UserUtteranceReverted(), ActionExecuted("action_listen"))

    def turn(self, text: str, intent: str, action: str, confidence: float = 0.95, **ranking) -> None:
        """A message answered without a rateable answer (declined, not covered, chit-chat ...)."""
        self.user(text, intent, confidence, **ranking)
        self.reply(action)


def save(url: str, scripts: Sequence[Script]) -> None:
    """Store the conversations with Rasa's SQL tracker store (SQLite file URL or PostgreSQL URL)."""
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    if dialect == "sqlite":
        tracker_store = SQLTrackerStore(dialect="sqlite", db=sa.engine.make_url(url).database)
    else:
        tracker_store = SQLTrackerStore(dialect="postgresql", host=url, db=sa.engine.make_url(url).database)
    try:
        for script in scripts:
            asyncio.run(tracker_store.save(DialogueStateTracker.from_events(script.sender,
                                                                            script.events)))
    finally:
        tracker_store.engine.dispose()


def sample() -> List[Script]:
    """A store with every outcome, ratings (one refused, one 👎 with a comment) and an old conversation."""
    a = Script("conv-a")
    a.user("what are the shift timings?", "ask_shifts")
    a.answer("shifts")
    a.rate("not_helpful", about="shifts")
    a.user("Is there  day shift work?", "ask_shifts", 0.55, ranking=[("ask_shifts", 0.55), ("ask_job_stability", 0.3)])
    a.answer("shifts")
    a.turn("what's the salary", "ask_not_covered", "action_not_covered")
    b = Script("conv-b")
    b.turn("book a table for two", "out_of_scope", "action_decline")
    b.user("asdf qwer", "nlu_fallback", 0.3, ranking=[("nlu_fallback", 0.3), ("ask_role", 0.25), ("greet", 0.2)])
    b.reply("action_clarify")
    b.turn("hi", "greet", "utter_greet")
    b.user("what does a quality analyst do", "ask_role")
    b.answer("quality_analyst", "action_describe_role")
    b.rate("helpful", about="quality_analyst")
    b.rate("helpful", counted=False)  # refused: already rated; not a message either
    old = Script("conv-old", start=NOW - 40 * DAY)
    old.turn("book a flight", "out_of_scope", "action_decline")
    return [a, b, old]


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('reader') / 'conversations.db'}"
    save(url, sample())
    return url


def test_every_message_gets_one_outcome_and_ratings_are_not_messages(sample_store):
    engine = sa.create_engine(sample_store)
    store = read(engine, since=NOW - 30 * DAY)
    outcomes = {t.text: t.outcome for t in store.turns}
    assert outcomes == {"what are the shift timings?": "answered", "Is there  day shift work?": "answered",
                        "what's the salary": "not_covered", "book a table for two": "declined",
                        "asdf qwer": "unsure", "hi": "other", "what does a quality analyst do": "answered"}
    assert "book a flight" in {t.text for t in read(engine).turns}  # no period: everything
    engine.dispose()


def test_ratings_and_the_comment_after_a_thumbs_down(sample_store):
    engine = sa.create_engine(sample_store)
    store = read(engine)
    engine.dispose()
    ratings = {(r.conversation, r.rating, r.about, r.comment) for r in store.ratings}
    assert ratings == {("conv-a", "not_helpful", "shifts", "Is there  day shift work?"),
                       ("conv-b", "helpful", "quality_analyst", None)}
    commented = [t for t in store.turns if t.comment_on]
    assert [t.text for t in commented] == ["Is there  day shift work?"]
    # The rated answer is the one of the message before the rating.
    shifts = next(t for t in store.turns if t.text == "what are the shift timings?")
    assert commented[0].comment_on == shifts.answers[0][0]


def test_a_thumbs_down_while_the_role_finder_waits_has_no_comment(tmp_path):
    # The bot asked nothing there (actions/feedback.py): the next message answers the role finder.
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    script = Script("conv-form")
    script.user("what are the shift timings?", "ask_shifts")
    script.answer("shifts")
    script.rate("not_helpful", comment_asked=False)
    script.turn("no", "deny", "role_finder_form")
    save(url, [script])
    engine = sa.create_engine(url)
    store = read(engine)
    engine.dispose()
    assert [(r.rating, r.comment) for r in store.ratings] == [("not_helpful", None)]
    assert not any(t.comment_on for t in store.turns)


def test_the_two_intents_nlu_hesitated_between(sample_store):
    engine = sa.create_engine(sample_store)
    turns = {t.text: t for t in read(engine).turns}
    engine.dispose()
    assert turns["asdf qwer"].ranking == [("ask_role", 0.25), ("greet", 0.2)]  # the fallback itself left out
    assert turns["asdf qwer"].top_confidence == 0.25
    assert turns["Is there  day shift work?"].ranking == [("ask_shifts", 0.55), ("ask_job_stability", 0.3)]


def test_rows_fed_in_batches_give_the_same_turns(sample_store):
    engine = sa.create_engine(sample_store)
    rows = store_reader.read_rows(engine)
    engine.dispose()
    whole = Builder().feed(rows).store
    for cut in range(len(rows) + 1):
        parts = Builder().feed(rows[:cut]).feed(rows[cut:]).store
        assert [(t.text, t.outcome, t.comment_on) for t in parts.turns] == \
            [(t.text, t.outcome, t.comment_on) for t in whole.turns]
        assert [(r.answer_id, r.comment) for r in parts.ratings] == [(r.answer_id, r.comment) for r in whole.ratings]
    assert len(between(whole, NOW - 30 * DAY, NOW + DAY).turns) == len(whole.turns) - 1


def test_a_store_without_the_events_table_is_an_error(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(sa.exc.OperationalError):
        read(engine)
    engine.dispose()


def test_postgresql_is_read_the_same(sample_store):
    def seen(url):
        engine = sa.create_engine(url)
        try:
            store = read(engine)
        finally:
            engine.dispose()
        return ([(t.text, t.outcome, t.ranking, t.top_confidence, [a for _, a in t.answers], t.comment_on is not None)
                 for t in store.turns], [(r.rating, r.about, r.comment) for r in store.ratings])

    with postgres_server() as server, fresh_database(server) as url:
        save(url, sample())
        assert seen(url) == seen(sample_store)
