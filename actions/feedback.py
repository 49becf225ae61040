"""👍/👎 on an answer: `/helpful{"answer_id": "..."}`, `/not_helpful{...}`, or typed `/helpful`."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.feedback import ANSWER_ID, FEEDBACK_SLOT, NOT_HELPFUL, RATINGS, judge
from actions.common import intent_of

logger = logging.getLogger(__name__)


def named_answer_id(tracker: Tracker) -> Optional[str]:
    """The answer id the rating's payload names, None if it names none (typed `/helpful`). An id that
    is not text names no answer ("" is refused), rather than falling back to the latest answer."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == ANSWER_ID:
            return entity["value"] if isinstance(entity.get("value"), str) else ""
    return None


class ActionRateAnswer(Action):
    """Stores a rating that counts as a `feedback` slot event, thanks the person (a 👎 also asks what
    they were looking for), and reverts the rating's turn so the dialogue goes on as before it."""

    def name(self) -> str:
        return "action_rate_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        rating = intent_of(tracker)
        verdict = judge(tracker.events, rating if rating in RATINGS else NOT_HELPFUL, named_answer_id(tracker))
        if verdict.rating is None:
            logger.info("rating refused for %s: %s", tracker.sender_id, verdict.refused)
            dispatcher.utter_message(response="utter_feedback_refused")
            return [UserUtteranceReverted()]
        thanks = "utter_feedback_ask" if verdict.rating.rating == NOT_HELPFUL else "utter_feedback_thanks"
        dispatcher.utter_message(response=thanks)
        return [SlotSet(FEEDBACK_SLOT, verdict.rating.as_slot_value()), UserUtteranceReverted()]
