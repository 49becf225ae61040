"""Property: whatever sequence of messages a person sends, every turn ends listening.

Hypothesis draws sequences of 1-8 messages from: the training examples of every intent, the
buttons' payloads (valid and broken), one-word replies, junk, emoji, very long text and odd Unicode;
they go over REST to the real Rasa and action servers (the shared test bot). For every message:
HTTP 200 with 1 to 3 messages, and the conversation's tracker ends with `action_listen`. After the
sequence a real guide question is answered with its facts, so nothing left the conversation stuck.

Bounded (examples and time) so that `make test` stays short; a sequence it ever finds failing is
added with @example below and stays as a regression test.
"""
import re
import uuid
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.channels.input_rules import MAX_MESSAGE_CHARS

ROOT = Path(__file__).resolve().parents[1]


def training_examples():
    """Every training example of data/, entity markup removed, as people type them."""
    examples = []
    for path in sorted((ROOT / "data").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    examples.append(re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line.strip()[2:]))
    return examples


PAYLOADS = ["/greet", "/ask_entry_roles", "/find_role", "/affirm", "/deny", "/stop", "/select_item",
            '/ask_role{"role": "quality_analyst"}', '/ask_certification{"certification": "itil"}',
            '/ask_role_skills{"role": "data_entry_operator"}', "/ask_more", "/nlu_fallback", "/out_of_scope",
            # broken or unknown
            "/", "/ask_role{", '/ask_role{"role": 5}', '/ask_role{"role": "astronaut"}', "/no_such_intent",
            '/select_item{"position": "ninth"}', "/restart", "/session_start",
            # ratings (bot/feedback.py): of the latest answer, of none, broken
            "/helpful", "/not_helpful", '/helpful{"answer_id": "000000000000"}', '/not_helpful{"answer_id": 5}',
            "👍", "👎"]
ONE_WORD = ["yes", "no", "ok", "stop", "2", "second", "last", "hmm", "thanks", "why?", "how come?", "banana",
            "haan", "nahi", "?", "..."]
ODD = ["\u200b", "\u200bwhat\u200b", "ｗｈａｔ ｉｓ ＢＰＯ", "\u202eoob si tahw", "e\u0301\u0301\u0301", "🙂" * 50,
       "<script>alert(1)</script>", "{{name}}", "%s%s%n", "\x00hi", "नमस्ते बीपीओ क्या है", "ما هو BPO",
       "w" * MAX_MESSAGE_CHARS, ("what is bpo " * 400)[:MAX_MESSAGE_CHARS]]

messages = st.one_of(
    st.sampled_from(training_examples()),
    st.sampled_from(PAYLOADS),
    st.sampled_from(ONE_WORD),
    st.sampled_from(ODD),
    st.text(min_size=1, max_size=200).filter(lambda t: t.strip()),
    st.text(alphabet=st.characters(categories=["So", "Sk", "Cf", "Zs", "Mn"]), min_size=1, max_size=30)
    .filter(lambda t: t.strip()),
)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(messages, min_size=1, max_size=8))
@example(["yes"] * 3)
@example(["which job suits me?", "banana", "no", "banana", "banana"])
@example(["tell me about the second one", "how come?", "I type fast", "no"])
@example(["which job suits me?", "/helpful", "👎", "yes", "/not_helpful"])
@example(["what is bpo", "/restart", "thumbs down", "/helpful{}"])
def test_every_turn_ends_listening_whatever_is_said(bot, sequence):
    sender = f"prop-{uuid.uuid4().hex[:12]}"
    for message in sequence:
        replies = bot.say(sender, message)
        assert 1 <= len(replies) <= 3, (message, replies)
        assert bot.last_turn_ends_listening(sender), message
    assert "night and rotating shifts" in bot.text(sender, "what are the shift timings?"), sequence
