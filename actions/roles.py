"""Questions about one role: what it is, what it needs, its certifications, what comes after it."""
from abc import ABC, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import COMPOSER, in_focus, send
from bot.answers import Answer
from bot.knowledge import Entry


class RoleAction(Action, ABC):
    """Answers about the role in focus (named now, else the last one discussed); asks which if none."""

    intent = ""

    @abstractmethod
    def answer(self, role: Entry) -> Answer:
        """The answer about `role`."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        role = in_focus(tracker, "role")
        if role is None:
            return send(dispatcher, COMPOSER.which("roles", self.intent, "role"))
        return send(dispatcher, self.answer(role))


class ActionDescribeRole(RoleAction):
    intent = "ask_role"

    def name(self) -> str:
        return "action_describe_role"

    def answer(self, role: Entry) -> Answer:
        return COMPOSER.role(role)


class ActionRoleSkills(RoleAction):
    intent = "ask_role_skills"

    def name(self) -> str:
        return "action_role_skills"

    def answer(self, role: Entry) -> Answer:
        return COMPOSER.role_skills(role)


class ActionRoleCertifications(RoleAction):
    intent = "ask_role_certifications"

    def name(self) -> str:
        return "action_role_certifications"

    def answer(self, role: Entry) -> Answer:
        return COMPOSER.role_certifications(role)


class ActionCareerPath(RoleAction):
    intent = "ask_career_path"

    def name(self) -> str:
        return "action_career_path"

    def answer(self, role: Entry) -> Answer:
        return COMPOSER.career_path(role)
