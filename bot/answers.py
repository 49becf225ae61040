"""Compose the bot's replies from the knowledge: short text, 2-3 follow-up buttons, a source line.

Replies are channel-neutral: plain text plus buttons whose payloads carry an intent and its
entities (`/ask_role{"role": "quality_analyst"}`), so a button works the same on every channel.
Each channel turns the buttons into its own widgets.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from bot.knowledge import ENTITY_OF, ROLE_FINDER, Entry, Knowledge
from bot.role_answers import RoleAnswers

MAX_BUTTONS = 3
# Answers stay within 5 lines: intro, up to 3 described items, the source line.
MAX_DESCRIBED_ITEMS = 3

# The intent a button asks, for each kind of entry, and the entity that carries the entry's id.
PAYLOAD_INTENT = {
    "roles": "ask_role",
    "certifications": "ask_certification",
    "industries": "ask_industries",
    "companies": "ask_companies",
    "books": "ask_books",
    "skills": "ask_skills",
    "work_types": "ask_voice_vs_non_voice",
}
ROLE_QUESTION_INTENT = {
    "role_skills": "ask_role_skills",
    "role_certifications": "ask_role_certifications",
    "career_path": "ask_career_path",
}
# Intents whose answer depends on an entity rather than on a topic id.
ENTITY_INTENTS = {
    "ask_role": ("role", "button_role"),
    "ask_role_skills": ("role", "button_role_skills"),
    "ask_role_certifications": ("role", "button_role_certifications"),
    "ask_career_path": ("role", "button_career_path"),
    "ask_certification": ("certification", "button_certification"),
}
SUGGESTED_TOPICS = ("entry_roles", "growth_roles", "certifications")
# The slot holding the id of the entry the last answer was about.
TOPIC_SLOT = "topic"
# The last question asked about a role (an intent), for "and for a TSA?".
ROLE_QUESTION_SLOT = "role_question"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class Answer:
    text: str
    buttons: List[Button] = field(default_factory=list)
    # Slots the action should set, so follow-ups ("that role", "the second one") resolve.
    slots: Dict[str, object] = field(default_factory=dict)
    # What a guide answer is about when the `topic` slot it sets isn't (the role finder's pick).
    about: Optional[str] = None

    @property
    def subject(self) -> Optional[str]:
        """What the answer is about, for its rating; None for a question, a decline, a "did you mean"."""
        return self.about or self.slots.get(TOPIC_SLOT)  # type: ignore[return-value]


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"


class Composer(RoleAnswers):
    """Turns knowledge entries into Answers; every word it uses comes from the knowledge file."""

    def __init__(self, knowledge: Knowledge):
        self.kb = knowledge
        self.phrases = knowledge.phrases

    # --- building blocks -----------------------------------------------------------------
    def source(self, entry: Entry) -> str:
        return self.phrases["source"].format(section=self.kb.sections[entry.section])

    def button(self, entry: Entry) -> Button:
        if entry.kind == "topics":
            return Button(entry["button"], payload(f"ask_{entry.id}"))
        entity = ENTITY_OF.get(entry.kind)
        intent = PAYLOAD_INTENT[entry.kind]
        return Button(entry.name, payload(intent, **({entity: entry.id} if entity else {})))

    def follow_ups(self, refs: Sequence[str], role: Optional[Entry] = None) -> List[Button]:
        buttons = []
        for ref in refs[:MAX_BUTTONS]:
            if ref == ROLE_FINDER:
                buttons.append(Button(self.kb.role_finder["button"], payload("find_role")))
            elif role is not None and ref in ROLE_QUESTION_INTENT:
                title = self.phrases[f"button_{ref}"]
                buttons.append(Button(title, payload(ROLE_QUESTION_INTENT[ref], role=role.id)))
            else:
                buttons.append(self.button(self.kb.get(ref)))
        return buttons

    def _answer(self, lines: Sequence[str], entry: Entry, buttons: List[Button], **slots) -> Answer:
        """`entry` gives the source line; the answer is about `slots["topic"]` if given, else `entry`
        (the `topic` slot is what "how come?" and "tell me more" refer to)."""
        text = "\n".join([*lines, self.source(entry)])
        slots.setdefault(TOPIC_SLOT, entry.id)
        return Answer(text, buttons[:MAX_BUTTONS], dict(slots))

    # --- topics and lists ----------------------------------------------------------------
    def topic(self, topic: Entry) -> Answer:
        lines = [topic["text"]]
        slots: Dict[str, object] = {}
        if "names" in topic.fields:  # "... from a starting job to Team Leader, ... or ...": names from their entries
            named = self.kb.collection(topic["names"])
            names = [item.name for item in named]
            lines[0] += " " + ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1] + "."
            # Named in that order on screen, so "the last two" picks from them as from a list.
            slots["listed"] = [item.id for item in named]
        if "lists" in topic.fields:
            items = self.kb.collection(topic["lists"])
            lines += self.list_lines(items)
            slots["listed"] = [item.id for item in items]
        return self._answer(lines, topic, self.follow_ups(topic["follow_ups"]), **slots)

    def list_lines(self, items: Sequence[Entry]) -> List[str]:
        """A short list with a line on each item; a longer one numbered on one line, so the answer
        stays within five lines: each item is one question ("the second one") or tap away."""
        if all(self.one_liner(item) is None for item in items):
            return [", ".join(item.name for item in items) + "."]
        if len(items) > MAX_DESCRIBED_ITEMS:
            return ["; ".join(f"{n}. {item.name}" for n, item in enumerate(items, 1)) + ".",
                    self.phrases["list_more"]]
        return [f"{n}. {item.name}: {self.one_liner(item)}" for n, item in enumerate(items, 1)]

    @staticmethod
    def one_liner(item: Entry) -> Optional[str]:
        if item.kind == "roles":
            return item["work"]
        if item.kind == "work_types":
            return f"{item['summary']}, e.g. {', '.join(item['examples'])}."
        if item.kind == "skills":
            return item["why"]
        if item.kind == "certifications":
            return item["purpose"]
        if item.kind == "books":
            return f"by {item['author']}, {item['covers']}"
        return None

    # --- one entry -----------------------------------------------------------------------
    def describe(self, entry: Entry) -> Answer:
        """An answer about one entry, whatever its kind."""
        if entry.kind == "topics":
            return self.topic(entry)
        if entry.kind == "roles":
            return self.role(entry)
        if entry.kind == "certifications":
            return self.certification(entry)
        if entry.kind in ("industries", "companies"):
            return self.listed_name(entry)
        lines = [f"{entry.name}: {self.one_liner(entry)}"]
        if entry.get("suits"):
            lines.append(f"Suits {entry['suits']}.")
        lines += [self.phrases["work_skill"].format(skill=s.name, why=s["why"]) for s in self.key_skills(entry)]
        siblings = [t for t in self.kb.collection("topics") if t.get("lists") == entry.kind]
        buttons = self.follow_ups(siblings[0]["follow_ups"]) if siblings else []
        return self._answer(lines, entry, buttons)

    def key_skills(self, entry: Entry) -> List[Entry]:
        """The skills a kind of work is tied to (a work type's `skills`); none for other kinds."""
        return [self.kb.get(i) for i in entry.get("skills") or []] if entry.kind == "work_types" else []

    def work_skills(self, work: Entry) -> Answer:
        """"Which skills does voice work need?": the skill that matters most for `work` and why, then
        the guide's other skills."""
        key = self.key_skills(work)
        others = [s.name for s in self.kb.collection("skills") if s not in key]
        lines = [self.phrases["work_skill"].format(skill=s.name, why=s["why"]) for s in key]
        lines.append(self.phrases["work_skill_others"].format(others=", ".join(others)))
        # The answer is about the skill it puts first: "why?" asks why that skill matters.
        focus = {TOPIC_SLOT: key[0].id} if len(key) == 1 else {}
        return self._answer(lines, work, self.follow_ups(["skills", "entry_roles"]), **focus)

    def role(self, role: Entry) -> Answer:
        lines = [f"{role.name}: {role['work']}"]
        if role.get("needs"):
            lines.append(f"Needs: {role['needs']}")
        return self._answer(lines, role, self.follow_ups(role["follow_ups"], role=role), role=role.id,
                            **{ROLE_QUESTION_SLOT: "ask_role"})

    def compare(self, entries: Sequence[Entry]) -> Answer:
        """Two or three entries of one kind side by side ("CSE or DEO?"), a line each."""
        lines = [f"{e.name}: {self.one_liner(e)}" + (f" Needs: {e['needs']}" if e.get("needs") else "")
                 for e in entries[:MAX_DESCRIBED_ITEMS]]
        buttons = [self.button(e) for e in entries[:2]]
        if entries[0].kind == "roles":  # "which suits me?" is often the question behind the comparison
            buttons += self.follow_ups([ROLE_FINDER])
        return self._answer(lines, entries[0], buttons, listed=[e.id for e in entries])

    def certification(self, cert: Entry) -> Answer:
        lines = [f"{cert.name}: {cert['purpose']}"]
        if cert.get("levels"):
            lines.append(f"Levels: {', '.join(cert['levels'])}.")
        helped = [self.kb.get(r) for r in cert["helps"]]
        lines.append(self.phrases["certification_helps"].format(roles=", ".join(r.name for r in helped)))
        buttons = [self.button(r) for r in helped] + [self.button(self.kb.topic("certifications"))]
        return self._answer(lines, cert, buttons, certification=cert.id)

    def listed_name(self, entry: Entry) -> Answer:
        siblings = self.kb.collection(entry.kind)
        others = ", ".join(s.name for s in siblings if s is not entry)
        detail = f"The others are {others}."
        topic = self.kb.topic(entry.kind)
        lines = [self.phrases["in_list"].format(name=entry.name, detail=detail)]
        if entry.kind == "companies":
            lines.append(self.phrases["company_note"])
        return self._answer(lines, entry, self.follow_ups(topic["follow_ups"]))

    # --- clarifying and declining --------------------------------------------------------
    def which(self, kind: str, intent: str, entity: str) -> Answer:
        """Ask which role/certification the user means, one button per choice."""
        choices = self.kb.collection(kind)
        key = "which_role" if kind == "roles" else "which_certification"
        buttons = [Button(c.name, payload(intent, **{entity: c.id})) for c in choices]
        return Answer(self.phrases[key], buttons)

    def select(self, listed: Sequence[str], position: int) -> Answer:
        """The `position`-th (1-based; -1 = last) entry of the list shown last."""
        if not listed:
            topics = [t for t in self.kb.collection("topics") if "lists" in t.fields]
            return Answer(self.phrases["no_list"], [self.button(t) for t in topics[:MAX_BUTTONS]])
        index = len(listed) - 1 if position == -1 else position - 1
        if not 0 <= index < len(listed):
            entries = [self.kb.get(i) for i in listed]
            buttons = [self.button(e) for e in entries if e is not None]
            return Answer(self.phrases["bad_position"].format(count=len(listed)), buttons, {"listed": list(listed)})
        return self.describe(self.kb.get(listed[index]))

    def not_covered(self, message: str) -> Answer:
        topic = self.kb.not_covered_in(message or "")
        if topic is not None:
            text = self.phrases["not_covered"].format(topic=topic.name)
        else:
            text = self.phrases["not_covered_general"]
        return Answer(text, self.suggestions())

    def suggestions(self) -> List[Button]:
        return [self.button(self.kb.topic(t)) for t in SUGGESTED_TOPICS]

    def note_not_covered(self, answer: Answer, message: str) -> Answer:
        """`answer` with a line saying what part of `message` the guide doesn't cover (fees, pay,
        health...), for questions it half answers; unchanged when the message asks nothing such."""
        topic = self.kb.not_covered_in(message or "")
        lines = answer.text.split("\n")
        if topic is None or not lines[-1].startswith(self.phrases["source"].split("{")[0]):
            return answer  # nothing left out, or not an answer from the guide (a decline, a question)
        lines.insert(len(lines) - 1, self.phrases["not_covered_note"].format(topic=topic.name))  # before the source
        return Answer("\n".join(lines), answer.buttons, answer.slots, answer.about)

    def redirect(self, message: str = "") -> Answer:
        """A polite decline; for a message about BPO work ("bpo dress code?"), "not covered"."""
        is_gap = bool(message) and self.kb.speaks_of_the_field(message)
        return self.not_covered(message) if is_gap else Answer(self.phrases["redirect"], self.suggestions())

    def intent_button(self, intent: str, entities: Dict[str, str]) -> Optional[Button]:
        """A button that asks `intent` again, with the entities the user gave; None if not answerable."""
        topic = self.kb.topic(intent[len("ask_"):]) if intent.startswith("ask_") else None
        if topic is not None:
            return self.button(topic)
        if intent in ENTITY_INTENTS:
            entity, phrase = ENTITY_INTENTS[intent]
            entry = self.kb.get(entities.get(entity, ""))
            title = self.phrases[phrase]
            if entry is not None:
                title = f"{title} ({entry.name})"
            return Button(title, payload(intent, **({entity: entry.id} if entry else {})))
        return None

    def did_you_mean(self, intents: Sequence[str], entities: Dict[str, str]) -> Answer:
        """Offer the likeliest answerable intents as buttons, or a redirect when none is."""
        buttons = [b for b in (self.intent_button(i, entities) for i in intents) if b is not None]
        if not buttons:
            return self.redirect()
        return Answer(self.phrases["did_you_mean"], buttons[:2])
