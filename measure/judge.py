"""Judging the reply a person sees, the way `make eval` scores the blind sets.

A reply answers a guide item when it holds every group of that item's facts (measure/answer_key.yml);
it declines an off-topic message when it says so and states no guide fact and does not start the
role finder. Only the text of the reply counts, never the intent NLU predicted.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Sequence

import yaml

KEY = Path(__file__).with_name("answer_key.yml")


@dataclass(frozen=True)
class Item:
    facts: Sequence[Sequence[str]]
    intents: Sequence[str]


class Judge:
    def __init__(self, path: Path = KEY):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.items: Dict[str, Item] = {
            name: Item([[str(w) for w in group] for group in value["facts"]], value["intents"])
            for name, value in data["items"].items()
        }
        self.declined_marks: List[str] = data["declined"]
        self.guide_fact: str = data["guide_fact"]
        self.role_finder_marks: List[str] = data["role_finder"]

    def check_labels(self, labels: Iterable[str]) -> None:
        """Raises KeyError naming a label the answer key doesn't know."""
        for label in labels:
            if label not in self.items:
                raise KeyError(f"unknown guide item {label!r}: add it to {KEY}")

    def missing(self, reply: str, expected: Sequence[str]) -> List[str]:
        """The fact groups of `expected` items that `reply` lacks (empty: the reply is right)."""
        text = reply.lower()
        absent = []
        for label in expected:
            for group in self.items[label].facts:
                if not any(word.lower() in text for word in group):
                    absent.append(f"{label}: {' | '.join(group)}")
        return absent

    def answers(self, reply: str, expected: Sequence[str]) -> bool:
        return not self.missing(reply, expected)

    def states_a_fact(self, reply: str) -> bool:
        return self.guide_fact.lower() in reply.lower()

    def starts_role_finder(self, reply: str) -> bool:
        text = reply.lower()
        return any(mark.lower() in text for mark in self.role_finder_marks)

    def declines(self, reply: str) -> bool:
        """Said it can't help with this, with no guide fact and no role finder."""
        text = reply.lower()
        said_so = any(mark.lower() in text for mark in self.declined_marks)
        return said_so and not self.states_a_fact(reply) and not self.starts_role_finder(reply)
