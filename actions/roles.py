"""Questions about one role: what it is, what it needs, its certifications, what comes after it."""
from abc import ABC, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import COMPOSER, INDEX, KNOWLEDGE, in_focus, mentioned_all, reply, text_of, work_type_meant
from bot.answers import TOPIC_SLOT, Answer
from bot.context_rewrite import points_back
from bot.kind_references import described_certification
from bot.knowledge import Entry
from bot.text import refers_back


class RoleAction(Action, ABC):
    """Answers about the role in focus (named now, else the last one discussed).

    With no role in focus, a question that also makes sense in general ("what skills do I need?")
    gets the general topic; otherwise the user is asked which role they mean.
    """

    intent = ""
    general_topic = ""
    # Only "what is/does ..." questions name a role by its duties; the others refer back to one.
    by_description = False

    @abstractmethod
    def answer(self, role: Entry) -> Answer:
        """The answer about `role`."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        named = mentioned_all(tracker, ["role"])
        if self.by_description and len(named) > 1:  # "CSE or DEO?": both, side by side
            return reply(dispatcher, tracker, COMPOSER.compare(named))
        focus = KNOWLEDGE.get(tracker.get_slot(TOPIC_SLOT) or "")
        if not named and focus is not None and focus.kind not in ("roles", "not_covered", "topics") \
                and refers_back(text_of(tracker)):
            # "which roles is it for?" with a certification in focus is about that certification. A
            # topic is no such subject: "which certification helps for that?" after the general advice
            # still means the role discussed before it.
            return reply(dispatcher, tracker, COMPOSER.describe(focus))
        role = in_focus(tracker, "role", described=self.by_description)
        if role is None and self.general_topic:
            return reply(dispatcher, tracker, COMPOSER.topic(KNOWLEDGE.topic(self.general_topic)))
        if role is None:
            return reply(dispatcher, tracker, COMPOSER.which("roles", self.intent, "role"))
        # The answer sets `role_question`, so that "and for a TSA?" asks the same about another role.
        return reply(dispatcher, tracker, self.answer(role))


class ActionDescribeRole(RoleAction):
    intent = "ask_role"
    by_description = True

    def name(self) -> str:
        return "action_describe_role"

    def answer(self, role: Entry) -> Answer:
        return COMPOSER.role(role)


class ActionRoleSkills(RoleAction):
    intent = "ask_role_skills"
    general_topic = "skills"

    def name(self) -> str:
        return "action_role_skills"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        skills = mentioned_all(tracker, ["skill"])
        role = None if mentioned_all(tracker, ["role"]) else KNOWLEDGE.find(tracker.get_slot(TOPIC_SLOT), kinds=["roles"])
        if len(skills) == 1 and role is not None and points_back(text_of(tracker)):
            # "does it need good communication too?" after a role: what that role asks of you.
            return reply(dispatcher, tracker, COMPOSER.role_skills(role))
        if len(skills) == 1:  # "why do call centre agents need time management?": about that skill
            return reply(dispatcher, tracker, COMPOSER.describe(skills[0]))
        work = work_type_meant(tracker)
        if work is not None and not mentioned_all(tracker, ["role"]):  # "what skill matters most for it?" after voice
            return reply(dispatcher, tracker, COMPOSER.work_skills(work))
        return super().run(dispatcher, tracker, domain)

    def answer(self, role: Entry) -> Answer:
        return COMPOSER.role_skills(role)


class ActionRoleCertifications(RoleAction):
    intent = "ask_role_certifications"
    general_topic = "certifications"

    def name(self) -> str:
        return "action_role_certifications"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        if not mentioned_all(tracker, ["role"]):
            # "which certification would help with process improvement?": the one whose purpose that is.
            focus = KNOWLEDGE.get(tracker.get_slot(TOPIC_SLOT) or "")
            described = described_certification(INDEX, text_of(tracker), focus)
            if described is not None:
                return reply(dispatcher, tracker, COMPOSER.certification(described))
            if focus is not None and focus.kind == "certifications" and in_focus(tracker, "role") is None:
                # "which role is it useful for?" after ITIL, no role discussed: that certification.
                return reply(dispatcher, tracker, COMPOSER.certification(focus))
        return super().run(dispatcher, tracker, domain)

    def answer(self, role: Entry) -> Answer:
        return COMPOSER.role_certifications(role)


class ActionCareerPath(RoleAction):
    intent = "ask_career_path"
    general_topic = "growth_roles"

    def name(self) -> str:
        return "action_career_path"

    def answer(self, role: Entry) -> Answer:
        return COMPOSER.career_path(role)
