"""How a person's text is normalised once, before NLU reads it.

Phone keyboards and copy-paste bring the same words in other Unicode forms: full-width letters
("ｗｈａｔ ｉｓ ＢＰＯ"), zero-width spaces and joiners, non-breaking spaces, soft hyphens. Each of
them makes a known question look unknown to word and character features, so they are mapped to
their plain forms here (Unicode NFKC), invisible format characters are dropped, and whitespace is
collapsed. Letters of other scripts (Hindi, emoji) are kept as they are.
"""
from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def normalise_message(text: str) -> str:
    """`text` in NFKC, without invisible format characters (Unicode category Cf: zero-width
    spaces and joiners, byte-order marks, soft hyphens, direction marks), whitespace runs as one
    space, stripped. Pure; never raises for a str."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _WHITESPACE.sub(" ", text).strip()


# Words that point back at what was just discussed ("is it calls only?", "what do they audit?").
BACK_REFERENCES = {"it", "its", "it's", "they", "them", "their", "that", "this", "those", "these",
                   "he", "she", "ye", "yeh", "woh", "wo", "iska", "uska", "iske", "uske", "isme", "usme"}


def refers_back(text: str) -> bool:
    """True if the message points back at something said before by a pronoun ("is it calls only?")."""
    return any(word in BACK_REFERENCES for word in re.findall(r"[\w']+", text.lower()))
