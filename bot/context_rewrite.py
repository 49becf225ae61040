"""A follow-up rewritten as the question it stands for, with the entry in focus named.

"what skill is most needed for it" after the Data Entry Operator answer means "what skill is most
needed for Data Entry Operator"; "how come?" after the shifts answer means "how come? Shifts".
NLU reads each message alone, so it reads the first as the general skills question and the second as
nothing at all. Rewriting the message this way (the usual query rewriting of conversational search)
lets the same NLU model read it a second time with the conversation's subject in it; the two
readings are then compared (bot/references.py), so a follow-up is resolved by the trained model
rather than by a list of phrasings. A back-reference ("it", "that role", "usme") is replaced by the
entry's name; a message without one gets the name added at the end.

Imports neither Rasa nor rasa_sdk.
"""
from __future__ import annotations

import re
from typing import Optional

from bot.knowledge import Entry
from bot.text import BACK_REFERENCES

# The words that point back at something shown ("that role", "yeh wala"); bot/kind_references.py too.
POINTERS = r"that|this|the same|same|wo|woh|ye|yeh"
# "that role", "this one", "the same course": the whole phrase stands for the entry.
_PHRASE = re.compile(rf"\b(?:{POINTERS})\s+(?:one|role|job|post|position|profile|"
                     r"cert\w*|course|book|skill|process|type|kind|sector|industry|company|field|line|wala|wali)\b",
                     re.IGNORECASE)
_WORD = re.compile(r"\b(" + "|".join(sorted((re.escape(w) for w in BACK_REFERENCES | {"there", "usmein", "ismein"}),
                                             key=len, reverse=True)) + r")\b", re.IGNORECASE)
# Words longer than this many are rarely follow-ups: long messages carry their own subject.
MAX_WORDS = 25


def points_back(text: str) -> bool:
    """True if `text` has a back-reference that `with_focus` would replace ("it", "that role")."""
    return bool(_PHRASE.search(text or "") or _WORD.search(text or ""))


def focus_name(entry: Entry) -> str:
    """The words that name `entry` in a rewritten message: its display name ("Team Leader / Process
    Trainer" reads as both)."""
    return " ".join(entry.name.replace("/", " ").replace("?", "").split())


def with_focus(text: str, entry: Optional[Entry]) -> Optional[str]:
    """`text` with `entry` named in place of its first back-reference, or added at the end when it
    has none; None when there is nothing to rewrite (no entry, an empty text, a payload, a message
    too long to be a follow-up). Pure; never raises for a str."""
    text = (text or "").strip()
    if entry is None or not text or text.startswith("/") or len(text.split()) > MAX_WORDS:
        return None
    name = focus_name(entry)
    phrase = _PHRASE.search(text)
    if phrase is not None:
        return f"{text[:phrase.start()]}{name}{text[phrase.end():]}"
    word = _WORD.search(text)
    if word is not None:
        return f"{text[:word.start()]}{name}{text[word.end():]}"
    return f"{text} {name}"
