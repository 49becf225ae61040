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
from typing import Any, List, Optional, Sequence

from bot.context_rewrite import POINTERS
from bot.knowledge import Entry, Knowledge
from bot.text import refers_back

_KIND_OF_NOUN = {
    "certifications": r"cert\w*|course|belt",
    "books": r"books?",
    "roles": r"role|job|post|position|profile",
    "skills": r"skills?",
    "industries": r"industry|sector",
    "companies": r"company|firm",
}
# How clearly a certification question must describe one certification, its kind words left out.
CERTIFICATION_FLOOR, CERTIFICATION_MARGIN = 0.1, 0.05
_POINTER = rf"\b(?:{POINTERS})\s+"
_KIND_PHRASES = [(kind, re.compile(rf"{_POINTER}(?:{noun})\b", re.IGNORECASE)) for kind, noun in _KIND_OF_NOUN.items()]


def without_kind_words(text: str, kind: str) -> str:
    """`text` with the nouns that name `kind` blanked out, for ranking its entries by what the text
    says about them: "certification" alone is a word of one certification's name (CCSP), so "which
    certification helps with process improvement?" would lean to it."""
    noun = _KIND_OF_NOUN.get(kind)
    extra = r"|certificates?|training" if kind == "certifications" else ""
    return re.sub(rf"\b(?:{noun}{extra})\b", " ", text or "", flags=re.IGNORECASE) if noun else (text or "")


def described_certification(index: Any, text: str, focus: Optional[Entry] = None) -> Optional[Entry]:
    """The one certification a certification question describes by its purpose ("which certification
    would help with process improvement?" -> Six Sigma), ranked by `index` (bot/retrieval.py's
    EntryIndex) with the kind's own nouns left out; a skill or kind of work in `focus` that the
    question points back at counts as said ("any course to get better at it?" after Communication).
    None when no certification clearly wins (guide: Certifications)."""
    query = without_kind_words(text, "certifications")
    if focus is not None and focus.kind in ("skills", "work_types") and refers_back(text):
        query += " " + focus.name
    return index.best(query, kinds=["certifications"], floor=CERTIFICATION_FLOOR, margin=CERTIFICATION_MARGIN)


def kind_pointed_back(text: str) -> Optional[str]:
    """The kind ("certifications", "roles", ...) a pointing phrase in `text` names, or None.

    `text`: any string. "what is that cert for" -> "certifications"; "what is it" -> None."""
    for kind, phrase in _KIND_PHRASES:
        if phrase.search(text or ""):
            return kind
    return None


# "any other certs?", "more books like it": the whole list of that kind, not the entry in focus.
_OTHERS = re.compile(r"\b(?:other|others|another|else|more(?!\s+(?:about|on|info|details?)\b))\b", re.IGNORECASE)
OTHERS_MAX_WORDS = 6


def others_of_kind(kb: Knowledge, text: str, focus: Entry) -> Optional[Entry]:
    """The topic listing every entry of the kind a short "other ... ?" message names ("other certs
    like it?" after CCSP, "any more books?"), or None. Roles are listed by two topics (entry and
    growth), so "other roles" is left to NLU."""
    if not _OTHERS.search(text or "") or len((text or "").split()) > OTHERS_MAX_WORDS or kind_pointed_back(text):
        return None  # "tell me more about that course" is about the course
    for kind, noun in _KIND_OF_NOUN.items():
        if kind != "roles" and re.search(rf"\b(?:{noun})\b", text, re.IGNORECASE):
            return next((t for t in kb.collection("topics") if t.get("lists") == kind and t is not focus), None)
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
