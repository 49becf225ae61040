"""The role finder form: read answers, ask the next question, recommend where to start."""
from abc import ABC, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import KNOWLEDGE, intent_of, reply, send
from bot.answers import TOPIC_SLOT, Answer
from bot.knowledge import ROLE_FINDER
from bot.recommend import RoleFinder

FINDER = RoleFinder(KNOWLEDGE)
SLOT_PREFIX = "rf_"  # slot rf_<question id> holds the person's yes/no
MISREADS = "rf_misreads"  # answers in a row the form could not read
MAX_MISREADS = 2
YES_NO = ("affirm", "deny")
# Intents that are no question of their own: while a question is pending they are (unread) answers.
ANSWER_LIKE = {"affirm", "deny", "tell_profile", "out_of_scope", "nlu_fallback", "select_item", "ask_more",
               "greet", "thanks", "find_role", None}
DIGRESSION_FLOOR = 0.5


def profile_of(tracker: Tracker) -> Dict[str, bool]:
    values = {q: tracker.get_slot(SLOT_PREFIX + q) for q in FINDER.questions}
    return {q: v for q, v in values.items() if v is not None}


class ActionStartRoleFinder(Action):
    def name(self) -> str:
        return "action_start_role_finder"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        """The intro; earlier answers are cleared, so asking again means answering again (facts in
        this message still fill their questions: the form reads it when it starts)."""
        cleared = [SlotSet(SLOT_PREFIX + q, None) for q in FINDER.questions] + [SlotSet(MISREADS, None)]
        return send(dispatcher, Answer(FINDER.data["intro"])) + cleared


class ValidateRoleFinderForm(FormValidationAction):
    """Fills every answer the message gives ("I'm a graduate and I type fast", "actually no
    nights"); a bare yes/no answers the question just asked.

    A question about something else ends the form and is answered (the form is rejected, so the
    question's own rule runs). An answer that can't be read is asked again once, with how to leave;
    after a second one the form stops and says how to come back (action_recommend_role).
    """

    def name(self) -> str:
        return "validate_role_finder_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[str, Any]]:
        answers = FINDER.read(tracker.latest_message.get("text"))
        requested = (tracker.get_slot("requested_slot") or "").removeprefix(SLOT_PREFIX)
        intent = intent_of(tracker)
        if requested in FINDER.questions and requested not in answers and intent in YES_NO:
            answers[requested] = intent == "affirm"
        if answers or requested not in FINDER.questions:  # read something, or no question asked yet
            return [SlotSet(SLOT_PREFIX + q, value) for q, value in answers.items()] + [SlotSet(MISREADS, None)]
        if is_digression(tracker):
            return []
        misreads = int(tracker.get_slot(MISREADS) or 0) + 1
        if misreads < MAX_MISREADS:
            return [SlotSet(MISREADS, misreads)]
        return [SlotSet(MISREADS, misreads), SlotSet("requested_slot", None), ActiveLoop(None)]


def is_digression(tracker: Tracker) -> bool:
    """A confident question or command of its own (not an answer): the form gives way to it."""
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name") not in ANSWER_LIKE and float(intent.get("confidence") or 0) >= DIGRESSION_FLOOR


class AskQuestion(Action, ABC):
    """Asks one of the role finder's questions (Rasa calls action_ask_<slot> for each slot)."""

    @property
    @abstractmethod
    def question(self) -> str:
        """The question id in the knowledge file."""

    def name(self) -> str:
        return f"action_ask_{SLOT_PREFIX}{self.question}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        if tracker.get_slot(MISREADS) and tracker.get_slot("requested_slot") == SLOT_PREFIX + self.question:
            return send(dispatcher, FINDER.ask_again(self.question))
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
        """Runs when the form ends: with every answer in, the recommendation; when it was left after
        answers it could not read, the way back."""
        if len(profile_of(tracker)) < len(FINDER.questions):
            return send(dispatcher, Answer(FINDER.data["left"])) + [SlotSet(MISREADS, None)]
        return send(dispatcher, FINDER.recommend(profile_of(tracker))) + [SlotSet(TOPIC_SLOT, ROLE_FINDER)]


class ActionStopRoleFinder(Action):
    def name(self) -> str:
        return "action_stop_role_finder"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        return reply(dispatcher, tracker, Answer(FINDER.data["stopped"]))
