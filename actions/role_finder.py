"""The role finder form: read answers, ask the next question, recommend where to start."""
from abc import ABC, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import KNOWLEDGE, intent_of, reply, send
from bot.answers import Answer
from bot.recommend import RoleFinder

FINDER = RoleFinder(KNOWLEDGE)
SLOT_PREFIX = "rf_"  # slot rf_<question id> holds the person's yes/no


def profile_of(tracker: Tracker) -> Dict[str, bool]:
    values = {q: tracker.get_slot(SLOT_PREFIX + q) for q in FINDER.questions}
    return {q: v for q, v in values.items() if v is not None}


class ActionStartRoleFinder(Action):
    def name(self) -> str:
        return "action_start_role_finder"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        return send(dispatcher, Answer(FINDER.data["intro"]))


class ValidateRoleFinderForm(FormValidationAction):
    """Fills every answer the message gives ("I'm a graduate and I type fast", "actually no
    nights"); a bare yes/no answers the question just asked."""

    def name(self) -> str:
        return "validate_role_finder_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        answers = FINDER.read(tracker.latest_message.get("text"))
        requested = (tracker.get_slot("requested_slot") or "").removeprefix(SLOT_PREFIX)
        intent = intent_of(tracker)
        if requested in FINDER.questions and requested not in answers and intent in ("affirm", "deny"):
            answers[requested] = intent == "affirm"
        return [SlotSet(SLOT_PREFIX + q, value) for q, value in answers.items()]


class AskQuestion(Action, ABC):
    """Asks one of the role finder's questions (Rasa calls action_ask_<slot> for each slot)."""

    @property
    @abstractmethod
    def question(self) -> str:
        """The question id in the knowledge file."""

    def name(self) -> str:
        return f"action_ask_{SLOT_PREFIX}{self.question}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        return send(dispatcher, FINDER.ask(self.question))


class ActionAskCalls(AskQuestion):
    question = "calls"


class ActionAskTyping(AskQuestion):
    question = "typing"


class ActionAskTechnical(AskQuestion):
    question = "technical"


class ActionAskDegree(AskQuestion):
    question = "degree"


class ActionAskNights(AskQuestion):
    question = "nights"


class ActionRecommendRole(Action):
    def name(self) -> str:
        return "action_recommend_role"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        return send(dispatcher, FINDER.recommend(profile_of(tracker)))


class ActionStopRoleFinder(Action):
    def name(self) -> str:
        return "action_stop_role_finder"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        return reply(dispatcher, tracker, Answer(FINDER.data["stopped"]))
