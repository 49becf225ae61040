"""Load, validate and query bot/knowledge.yml: the guide's facts as data.

This module imports neither Rasa nor rasa_sdk, so it loads in milliseconds and is
tested on its own. Everything the actions know comes through `Knowledge`.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

import yaml

DEFAULT_PATH = Path(__file__).with_name("knowledge.yml")

# The file's rules live in bot/knowledge_schema.py; these names are part of this module's interface.
from bot.knowledge_schema import (COMMON, ENTITY_OF, ROLE_FINDER, SCHEMA, KnowledgeError, Validator,  # noqa: F401
                                  normalise)


@dataclass(frozen=True)
class Entry:
    kind: str
    id: str
    name: str
    section: str
    synonyms: Tuple[str, ...]
    fields: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.fields[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)

    @property
    def entity(self) -> Optional[str]:
        return ENTITY_OF.get(self.kind)


class Knowledge:
    """The validated knowledge file and the queries the actions need."""

    def __init__(self, data: Mapping[str, Any], path: Path = DEFAULT_PATH):
        self.path = path
        Validator(data, path).run()
        self.guide: str = data["guide"]
        self.sections: Dict[str, str] = dict(data["sections"])
        self.phrases: Dict[str, str] = dict(data["phrases"])
        self.role_finder: Mapping[str, Any] = data["role_finder"]
        self.acknowledgements = {normalise(a) or a.strip() for a in data["acknowledgements"]}  # emoji stay as they are
        self.field_words = tuple(normalise(w) for w in data.get("field_words") or ())
        self._collections: Dict[str, List[Entry]] = {
            kind: [_entry(kind, raw) for raw in data.get(kind) or []] for kind in SCHEMA
        }
        self._by_id = {e.id: e for entries in self._collections.values() for e in entries}
        self._by_name: Dict[str, Entry] = {}
        self._aliases: Optional[set] = None
        self._longest = 0
        for entry in self.all_entries():
            for alias in (entry.id.replace("_", " "), entry.name, *entry.synonyms):
                self._by_name.setdefault(normalise(alias), entry)

    # --- lookups -------------------------------------------------------------------------
    def all_entries(self) -> Iterable[Entry]:
        for entries in self._collections.values():
            yield from entries

    def get(self, entry_id: str) -> Optional[Entry]:
        return self._by_id.get(entry_id)

    def topic(self, topic_id: str) -> Optional[Entry]:
        entry = self._by_id.get(topic_id)
        return entry if entry and entry.kind == "topics" else None

    def collection(self, name: str) -> List[Entry]:
        """Entries of a collection in the guide's order; roles_entry/roles_growth split roles."""
        if name.startswith("roles_"):
            level = name.split("_", 1)[1]
            return [r for r in self._collections["roles"] if r["level"] == level]
        return list(self._collections[name])

    def find(self, text: Optional[str], kinds: Iterable[str] = ()) -> Optional[Entry]:
        """The entry a user means by `text`: its id, name or a synonym, allowing small typos."""
        if not text:
            return None
        kinds = set(kinds)
        key = normalise(str(text))
        entry = self._by_id.get(str(text)) or self._by_name.get(key)
        if entry is None:
            candidates = {n: e for n, e in self._by_name.items() if not kinds or e.kind in kinds}
            close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.84)
            entry = candidates[close[0]] if close else None
        if entry is not None and kinds and entry.kind not in kinds:
            return None
        return entry

    # --- the questions the actions ask ---------------------------------------------------
    def roles(self, level: Optional[str] = None) -> List[Entry]:
        return self.collection(f"roles_{level}") if level else self.collection("roles")

    def certifications_for(self, role_id: str) -> List[Entry]:
        return [c for c in self._collections["certifications"] if role_id in c["helps"]]

    def next_roles(self, role_id: str) -> List[Entry]:
        return [self._by_id[r] for r in self._by_id[role_id]["leads_to"]]

    def skills_of(self, role_id: str) -> List[Entry]:
        return [self._by_id[s] for s in self._by_id[role_id]["skills"]]

    def speaks_of_the_field(self, text: str) -> bool:
        """True if `text` names BPO work by one of the knowledge file's `field_words` ("in bpo offices")."""
        padded = f" {normalise(text or '')} "
        return any(f" {word} " in padded for word in self.field_words)

    def not_covered_in(self, text: str) -> Optional[Entry]:
        """The first not-covered topic whose words appear in `text`, if any."""
        padded = f" {normalise(text)} "
        for entry in self._collections["not_covered"]:
            if any(f" {normalise(s)} " in padded for s in entry.synonyms):
                return entry
        return None

    def names_an_entry(self, text: str) -> bool:
        """True if `text` holds a name or synonym of an entry users name (the aliases of
        `entity_patterns`), compared normalised: "is a cse's job hard" -> True, "is it hard" -> False."""
        if self._aliases is None:
            self._aliases = {normalise(a) for kind in ENTITY_OF for e in self._collections[kind]
                             for a in (e.name, *e.synonyms)}
            self._longest = max((len(a.split()) for a in self._aliases), default=0)
        words = normalise(text or "").split()
        return any(" ".join(words[i:i + n]) in self._aliases
                   for n in range(1, self._longest + 1) for i in range(len(words) - n + 1))

    def entity_patterns(self) -> List[Dict[str, Any]]:
        """spaCy EntityRuler patterns: every name and synonym of the entries users name, its words
        apart ("non voice") and, for names of several words, joined by hyphens ("non-voice"), which
        spaCy's tokenizer splits into words and hyphens."""
        patterns = []
        for kind, label in ENTITY_OF.items():
            for entry in self._collections[kind]:
                aliases = sorted({normalise(a) for a in (entry.name, *entry.synonyms)})
                for alias in aliases:
                    words = alias.split()
                    patterns.append({"label": label, "pattern": [{"LOWER": w} for w in words], "id": entry.id})
                    if len(words) > 1:
                        hyphenated = [t for w in words for t in ({"LOWER": w}, {"ORTH": "-"})][:-1]
                        patterns.append({"label": label, "pattern": hyphenated, "id": entry.id})
        return patterns


def _entry(kind: str, raw: Mapping[str, Any]) -> Entry:
    rest = {k: v for k, v in raw.items() if k not in COMMON}
    return Entry(kind, raw["id"], raw["name"], raw["section"], tuple(raw["synonyms"]), rest)


def load(path: Path | str = DEFAULT_PATH) -> Knowledge:
    """Read and validate a knowledge file; raises KnowledgeError naming the problem."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise KnowledgeError(f"{path}: cannot read: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{path}: not valid YAML: {error}") from error
    return Knowledge(data, path)
