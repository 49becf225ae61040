"""A new session after the old one expired: keep what is in focus, start the role finder clean.

Rasa's own action_session_start carries every slot over (session_config: carry_over_slots), including
`requested_slot` and the role finder's answers, while the form itself is not carried over: a "yes" to
the question still on screen then met half a form. Here the role, certification, topic and list in
focus are kept (so "and its skills?" still works after lunch); the form's slots are not.
"""
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

KEPT_SLOTS = ("role", "certification", "topic", "listed")


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        events: List[Dict[str, Any]] = [SessionStarted()]
        events += [SlotSet(name, tracker.get_slot(name)) for name in KEPT_SLOTS
                   if tracker.get_slot(name) is not None]
        return events + [ActionExecuted("action_listen")]
