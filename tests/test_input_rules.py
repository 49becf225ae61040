"""The input rules every channel shares, and the normalisation NLU reads text through."""
import pytest

from bot.channels import input_rules
from bot.channels.input_rules import InputError
from bot.text import normalise_message


@pytest.mark.parametrize("raw, expected", [
    ("ｗｈａｔ ｉｓ ＢＰＯ？", "what is BPO?"),
    ("what\u200b is\u200c BPO\u200d", "what is BPO"),
    ("\ufeffwhat\u00a0is\u2009BPO", "what is BPO"),
    ("  what \n\t is   BPO  ", "what is BPO"),
    ("soft\u00adskills", "softskills"),
    ("बीपीओ क्या है 🙂", "बीपीओ क्या है 🙂"),  # other scripts and emoji are kept
    ('/ask_role{"role": "quality_analyst"}', '/ask_role{"role": "quality_analyst"}'),
    ("\u200b\u200b", ""),
])
def test_normalise_message(raw, expected):
    assert normalise_message(raw) == expected


def test_sender_and_message_rules():
    assert input_rules.sender_id("  abc ") == "abc"
    assert input_rules.message_text("hi") == "hi"
    for bad in (None, "", "  ", 3, ["a"]):
        with pytest.raises(InputError) as error:
            input_rules.sender_id(bad)
        assert (error.value.status, error.value.field) == (400, "sender")
        with pytest.raises(InputError) as error:
            input_rules.message_text(bad)
        assert (error.value.status, error.value.field) == (400, "message")
    with pytest.raises(InputError) as error:
        input_rules.message_text("x" * (input_rules.MAX_MESSAGE_CHARS + 1))
    assert error.value.status == 413 and str(input_rules.MAX_MESSAGE_CHARS) in str(error.value)
    assert error.value.as_json()["field"] == "message"
