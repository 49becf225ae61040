"""Questions about one certification."""
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import COMPOSER, in_focus, send


class ActionDescribeCertification(Action):
    def name(self) -> str:
        return "action_describe_certification"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        cert = in_focus(tracker, "certification")
        if cert is None:
            return send(dispatcher, COMPOSER.which("certifications", "ask_certification", "certification"))
        return send(dispatcher, COMPOSER.certification(cert))
