"""Questions about one certification."""
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import COMPOSER, KNOWLEDGE, in_focus, mentioned_all, reply, text_of
from bot.answers import TOPIC_SLOT
from bot.text import refers_back


class ActionDescribeCertification(Action):
    def name(self) -> str:
        return "action_describe_certification"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        named = mentioned_all(tracker, ["certification"])
        if len(named) > 1:  # "Six Sigma or ITIL?": both, side by side
            return reply(dispatcher, tracker, COMPOSER.compare(named))
        if not named and refers_back(text_of(tracker)):
            # "which certification helps for that?" right after a role: that role's certifications.
            focus = KNOWLEDGE.find(tracker.get_slot(TOPIC_SLOT), kinds=["roles"])
            if focus is not None:
                return reply(dispatcher, tracker, COMPOSER.role_certifications(focus))
        # Named, else described by its purpose ("the one for process improvement"), else discussed last.
        cert = in_focus(tracker, "certification", described=True)
        if cert is None:
            return reply(dispatcher, tracker, COMPOSER.which("certifications", "ask_certification", "certification"))
        return reply(dispatcher, tracker, COMPOSER.certification(cert))
