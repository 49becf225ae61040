"""A back-reference that names its kind: "that cert", "this book", "the same role".

After the Technical Support Associate's certifications, the entry in focus is the role, yet "what is
that cert meant for?" asks about the certification just shown, not the role. The noun of the phrase
says which kind of entry is meant; when it is not the kind in focus, the entry meant is the first of
that kind on screen, or the one entry of that kind the focus is linked to in the knowledge file (a
role's certification, the role a certification helps).

Imports neither Rasa nor rasa_sdk; bot/references.py calls `entry_of_kind_meant`.
"""
from __future__ import annotations

import re
from typing import List, Optional, Sequence

from bot.knowledge import Entry, Knowledge

_KIND_OF_NOUN = {
    "certifications": r"cert\w*|course|belt",
    "books": r"books?",
    "roles": r"role|job|post|position|profile",
    "skills": r"skills?",
    "industries": r"industry|sector",
    "companies": r"company|firm",
}
_POINTER = r"\b(?:that|this|the same|same|wo|woh|ye|yeh)\s+"
_KIND_PHRASES = [(kind, re.compile(rf"{_POINTER}(?:{noun})\b", re.IGNORECASE)) for kind, noun in _KIND_OF_NOUN.items()]


def kind_pointed_back(text: str) -> Optional[str]:
    """The kind ("certifications", "roles", ...) a pointing phrase in `text` names, or None.

    `text`: any string. "what is that cert for" -> "certifications"; "what is it" -> None."""
    for kind, phrase in _KIND_PHRASES:
        if phrase.search(text or ""):
            return kind
    return None


def linked_entries(kb: Knowledge, focus: Entry, kind: str) -> List[Entry]:
    """The entries of `kind` the knowledge file links `focus` to: a role's certifications, the roles
    a certification `helps` (guide: Certifications); empty for other pairs."""
    if focus.kind == "roles" and kind == "certifications":
        return kb.certifications_for(focus.id)
    if focus.kind == "certifications" and kind == "roles":
        return [r for r in (kb.get(i) for i in focus.get("helps") or ()) if r is not None]
    return []


def entry_of_kind_meant(kb: Knowledge, text: str, focus: Entry, listed: Sequence[Entry]) -> Optional[Entry]:
    """The entry a kind-naming back-reference in `text` means when that kind is not `focus`'s: the
    first entry of that kind in `listed` (the list on screen), else the only entry of that kind linked
    to `focus`; None when the phrase names no kind, the focus's own kind, or nothing fits."""
    kind = kind_pointed_back(text)
    # A topic's own list is picked from by position or description (bot/references.py's from_list).
    if kind is None or kind == focus.kind or focus.kind == "topics":
        return None
    on_screen = [e for e in listed if e.kind == kind]
    if on_screen:
        return on_screen[0]
    linked = linked_entries(kb, focus, kind)
    return linked[0] if len(linked) == 1 else None
