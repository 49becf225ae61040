"""Questions about one certification."""
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import COMPOSER, in_focus, mentioned_all, reply


class ActionDescribeCertification(Action):
    def name(self) -> str:
        return "action_describe_certification"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        named = mentioned_all(tracker, ["certification"])
        if len(named) > 1:  # "Six Sigma or ITIL?": both, side by side
            return reply(dispatcher, tracker, COMPOSER.compare(named))
        cert = in_focus(tracker, "certification")
        if cert is None:
            return reply(dispatcher, tracker, COMPOSER.which("certifications", "ask_certification", "certification"))
        return reply(dispatcher, tracker, COMPOSER.certification(cert))
