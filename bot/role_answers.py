"""The answers to questions about one role (its skills, certifications, what comes after it), as a
part of bot/answers.py's Composer, which supplies `kb`, `phrases`, `follow_ups`, `button` and `_answer`.
Every word comes from the knowledge file (guide sections: entry and growth roles, skills, certifications)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.knowledge import Entry

if TYPE_CHECKING:
    from bot.answers import Answer


class RoleAnswers:
    """Composer's role questions; each returns an Answer that keeps the role in focus and sets
    `role_question` to the intent it answers, so "and for a TSA?" asks the same about another role."""

    def role_skills(self, role: Entry) -> Answer:
        skills = self.kb.skills_of(role.id)
        if role.get("needs"):
            first = self.phrases["role_skills"].format(role=role.name, needs=role["needs"])
        else:
            first = self.phrases["role_skills_unstated"].format(role=role.name, work=role["work"])
        lines = [first, self.phrases["role_skill_list"].format(skills=", ".join(s.name for s in skills))]
        if skills:  # the skill that matters most for the role, and why ("what matters most for that?")
            lines.append(f"{skills[0].name}: {skills[0]['why']}")
        refs = [r for r in ("role_certifications", "career_path") if r in role["follow_ups"]]
        buttons = self.follow_ups(refs, role=role) + [self.button(self.kb.topic("skills"))]
        return self._answer(lines, role, buttons, role=role.id, role_question="ask_role_skills",
                            listed=[s.id for s in skills])

    def role_certifications(self, role: Entry) -> Answer:
        certs = self.kb.certifications_for(role.id)
        if certs:
            names = "; ".join(f"{c.name} ({c['purpose'].rstrip('.')})" for c in certs)
            text = self.phrases["role_certifications"].format(role=role.name, certifications=names)
            buttons = [self.button(c) for c in certs]
        else:
            names = ", ".join(c.name for c in self.kb.collection("certifications"))
            text = self.phrases["role_no_certification"].format(role=role.name, certifications=names)
            buttons = [self.button(self.kb.topic("certifications"))]
        buttons += self.follow_ups(["career_path"], role=role)
        return self._answer([text], self.kb.topic("certifications"), buttons, role=role.id, topic=role.id,
                            role_question="ask_role_certifications",
                            **({"listed": [c.id for c in certs]} if certs else {}))

    def career_path(self, role: Entry) -> Answer:
        following = self.kb.next_roles(role.id)
        # What the role itself is, first: "what does it take to become an OM?" reads as either question.
        lines = [f"{role.name}: {role['work']}"]
        if following:
            names = " or ".join(r.name for r in following)
            # The rest of the guide's growth roles too: the natural next step is not the only one.
            others = [r.name for r in self.kb.collection("roles") if r.get("level") == "growth"
                      and r not in following and r is not role]
            lines += [" ".join([self.phrases["career_path"].format(role=role.name, next=names)]
                               + ([self.phrases["career_path_others"].format(others=", ".join(others))] if others else []))]
            lines += [f"- {r.name}: {r['work']}" for r in following]
            buttons = [self.button(r) for r in following]
        else:
            lines += [self.phrases["career_path_top"].format(role=role.name)]
            buttons = []
        buttons.append(self.button(self.kb.topic("growth_roles")))
        return self._answer(lines, self.kb.topic("growth_roles"), buttons, role=role.id, topic=role.id,
                            role_question="ask_career_path",
                            **({"listed": [r.id for r in following]} if following else {}))

