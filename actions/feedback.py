"""👍/👎 on an answer: `/helpful{"answer_id": "..."}`, `/not_helpful{...}`, or typed `/helpful`."""
from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.feedback import ANSWER_ID, FEEDBACK_SLOT, NOT_HELPFUL, RATINGS, judge
from actions.common import intent_of

logger = logging.getLogger(__name__)
# A rating typed with no id: it rates the latest answer.
BARE_RATING = re.compile(r"\s*/(?:%s)\s*" % "|".join(RATINGS))


def named_answer_id(tracker: Tracker) -> Optional[str]:
    """The answer id the rating's payload names; None for a bare `/helpful` (the latest answer). A
    payload with anything else after the intent (no id, an id that is not text, broken JSON) names
    no answer: "" is refused rather than falling back to the latest answer."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == ANSWER_ID:
            return entity["value"] if isinstance(entity.get("value"), str) else ""
    return None if BARE_RATING.fullmatch(tracker.latest_message.get("text") or "") else ""


class ActionRateAnswer(Action):
    """Stores a rating that counts as a `feedback` slot event, thanks the person (a 👎 also asks what
    they were looking for), and reverts the rating's turn so the dialogue goes on as before it."""

    def name(self) -> str:
        return "action_rate_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        intent = intent_of(tracker)
        verdict = judge(tracker.events, intent if intent in RATINGS else NOT_HELPFUL, named_answer_id(tracker))
        if verdict.rating is None:
            logger.info("rating refused for %s: %s", tracker.sender_id, verdict.refused)
            dispatcher.utter_message(response="utter_feedback_refused")
            return [UserUtteranceReverted()]
        rating = verdict.rating
        if tracker.active_loop.get("name"):
            # A question of the role finder is pending: point back at it rather than ask another one.
            dispatcher.utter_message(response="utter_feedback_in_form")
            rating = replace(rating, comment_asked=False)
        else:
            dispatcher.utter_message(response="utter_feedback_ask" if rating.rating == NOT_HELPFUL
                                     else "utter_feedback_thanks")
        return [SlotSet(FEEDBACK_SLOT, rating.as_slot_value()), UserUtteranceReverted()]
