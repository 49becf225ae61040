"""Role finder: read a person's answers, rank the entry roles, and explain the pick.

Every weight, word and sentence comes from the `role_finder` section of bot/knowledge.yml;
this module only adds up points and composes the answer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from bot.answers import Answer, Button, Composer, payload
from bot.knowledge import ROLE_FINDER, Entry, Knowledge, normalise

Profile = Dict[str, bool]  # question id -> the person's yes/no
MAX_PICKS = 2


@dataclass
class Pick:
    role: Entry
    score: int
    reasons: List[str] = field(default_factory=list)


class RoleFinder:
    def __init__(self, knowledge: Knowledge):
        self.kb = knowledge
        self.data = knowledge.role_finder
        self.questions = [q["id"] for q in self.data["questions"]]
        self.composer = Composer(knowledge)

    # --- reading answers -----------------------------------------------------------------
    def read(self, text: Optional[str]) -> Profile:
        """Facts stated in free text ("I'm a graduate, I type fast and I hate phone calls").

        A question's "no" phrases win over its "yes" phrases; a "yes" phrase with a negator
        (knowledge.yml `negators`: not, hate, can't...) in the three words before it reads as "no".
        """
        padded = f" {normalise(text or '')} "
        found: Profile = {}
        for question in self.data["questions"]:
            if any(f" {normalise(w)} " in padded for w in question["no_words"]):
                found[question["id"]] = False
                continue
            said = [self._negated(padded, normalise(w)) for w in question["yes_words"] if f" {normalise(w)} " in padded]
            if said:
                found[question["id"]] = not any(said)
        return found

    def _negated(self, padded: str, phrase: str) -> bool:
        before = padded[:padded.index(f" {phrase} ")].split()[-3:]
        window = f" {' '.join(before)} "
        return any(f" {normalise(n)} " in window for n in self.data["negators"])

    def ask_again(self, question_id: str) -> Answer:
        """The question once more, after an answer that could not be read, with how to leave."""
        question = self.ask(question_id)
        return Answer(f"{self.data['reask']}\n{question.text}", question.buttons)

    def ask(self, question_id: str) -> Answer:
        question = next(q for q in self.data["questions"] if q["id"] == question_id)
        return Answer(question["ask"], [Button("Yes", "/affirm"), Button("No", "/deny")])

    # --- ranking ---------------------------------------------------------------------------
    def rank(self, profile: Profile) -> List[Pick]:
        """Entry roles with a positive score, best first (guide order breaks ties)."""
        picks = []
        for role in self.kb.roles("entry"):
            pick = Pick(role, 0)
            for question, weight in self.data["fit"].get(role.id, {}).items():
                if question not in profile:
                    continue
                points = weight.get("if_yes" if profile[question] else "if_no", 0)
                pick.score += points
                if points > 0:
                    pick.reasons.append(weight["reason"])
            if pick.score > 0:
                picks.append(pick)
        return sorted(picks, key=lambda p: -p.score)[:MAX_PICKS]

    def recommend(self, profile: Profile) -> Answer:
        data = self.data
        picks = self.rank(profile)
        if not picks:
            skills = [self.kb.get(s) for s in data["no_fit_skills"]]
            lines = [data["no_fit"]] + [f"- {s.name}: {s['why']}" for s in skills]
            buttons = [self.composer.button(self.kb.topic("skills")), self.composer.button(self.kb.topic("entry_roles"))]
        else:
            lines = [data["pick"]]
            for number, pick in enumerate(picks, 1):
                certs = self.kb.certifications_for(pick.role.id)
                cert_names = ", ".join(c.name for c in certs) or data["no_certification"]
                next_roles = " or ".join(r.name for r in self.kb.next_roles(pick.role.id))
                lines.append(f"{number}. {pick.role.name}: {'; '.join(pick.reasons)}.")
                lines.append(f"   {data['certifications']}: {cert_names}. {data['leads_to']}: {next_roles}.")
            buttons = [self.composer.button(p.role) for p in picks]
        if profile.get("nights") is False:
            lines.append(data["night_note"])
        lines.append(data["change_hint"])
        lines.append(self.composer.source(self.kb.topic("entry_roles")))
        # The picks become the list in focus: "tell me about the second one" picks the second.
        top = {"role": picks[0].role.id, "listed": [p.role.id for p in picks]} if picks else {}
        buttons.append(Button(self.kb.phrases["button_role_skills"], payload("ask_role_skills", **top))
                       if top else self.composer.button(self.kb.topic("degree")))
        return Answer("\n".join(lines), buttons[:3], dict(top), about=ROLE_FINDER)
