"""A second opinion from the knowledge file: rank its entries against a message by TF-IDF.

Used where NLU is unsure, and where a message describes a role instead of naming it ("who checks
calls for quality?"). Each answerable entry becomes one document: its name, id, synonyms and every
descriptive field (a role's duties and needs, a certification's purpose, a topic's text...). The
message and the documents are compared twice with scikit-learn's TfidfVectorizer: on words (stop
words dropped) and on character n-grams within words, which still match through typos
("quallity analyst"). The score of an entry is the mean of the two cosine similarities.

Imports neither Rasa nor rasa_sdk; builds in a few milliseconds from a Knowledge.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from bot.knowledge import Entry, Knowledge, normalise

# Fields whose words describe an entry (the rest are ids and references).
TEXT_FIELDS = ("text", "work", "needs", "why", "purpose", "summary", "examples", "covers", "author",
               "levels", "suits", "duties", "button", "terms")
# Words every question about this guide shares; they say nothing about which entry is meant.
DOMAIN_WORDS = {"bpo", "bpos", "job", "jobs", "role", "roles", "career", "careers", "work", "tell", "know",
                "explain", "need", "does", "kya", "hai", "ka", "ki", "ke", "me", "mein", "hota", "please", "pls"}
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS | DOMAIN_WORDS)
# Collections a person asks about; `not_covered` entries are matched by bot/knowledge.py instead.
RANKED_KINDS = ("topics", "work_types", "roles", "skills", "certifications", "industries", "companies", "books")


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float


def document(entry: Entry) -> str:
    """The words that describe `entry`: name, id, synonyms and descriptive fields."""
    parts: List[str] = [entry.name, entry.id.replace("_", " "), *entry.synonyms]
    for key in TEXT_FIELDS:
        value = entry.get(key)
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(str(v) for v in value)
    return " . ".join(parts)


def content_words(text: str) -> str:
    return " ".join(w for w in normalise(text).split() if w not in STOP_WORDS)


class EntryIndex:
    """TF-IDF index of the knowledge file's answerable entries."""

    def __init__(self, knowledge: Knowledge, kinds: Sequence[str] = RANKED_KINDS):
        self.entries = [e for e in knowledge.all_entries() if e.kind in kinds]
        docs = [content_words(document(e)) for e in self.entries]
        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.word_matrix = self.words.fit_transform(docs)
        self.char_matrix = self.chars.fit_transform(docs)

    def rank(self, text: Optional[str], kinds: Iterable[str] = (), ids: Optional[Iterable[str]] = None) -> List[Match]:
        """Entries by similarity to `text`, best first, only those scoring above 0 (and of `kinds`,
        or with one of `ids`, when given). An empty or stop-word-only text matches nothing."""
        query = content_words(text or "")
        if not query:
            return []
        word = linear_kernel(self.words.transform([query]), self.word_matrix)[0]
        char = linear_kernel(self.chars.transform([query]), self.char_matrix)[0]
        wanted, among = set(kinds), None if ids is None else set(ids)
        matches = [Match(e, float((w + c) / 2)) for e, w, c in zip(self.entries, word, char)
                   if (not wanted or e.kind in wanted) and (among is None or e.id in among) and w + c > 0]
        return sorted(matches, key=lambda m: -m.score)

    def best(self, text: Optional[str], kinds: Iterable[str] = (), floor: float = 0.3,
             margin: float = 0.05, ids: Optional[Iterable[str]] = None) -> Optional[Entry]:
        """The one entry `text` clearly means (among `kinds` or `ids` when given): scoring at least
        `floor`, ahead of the next by `margin`; None when no entry or more than one fits."""
        if ids is not None and not list(ids):
            return None
        ranked = self.rank(text, kinds, ids)
        if not ranked or ranked[0].score < floor:
            return None
        if len(ranked) > 1 and ranked[0].score - ranked[1].score < margin:
            return None
        return ranked[0].entry
