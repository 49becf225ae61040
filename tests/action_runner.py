"""Runs one action on a real rasa_sdk Tracker and dispatcher, as the action server would."""
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def run(action, intent, text="", entities=(), slots=None, ranking=None):
    message = {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": e, "value": v} for e, v in entities],
        "text": text,
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
    }
    tracker = Tracker("t", dict(slots or {}), message, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0], events


def tracker_for(intent, text, slots=None, active_loop=None):
    message = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text}
    return Tracker("t", dict(slots or {}), message, [], False, None, active_loop or {}, "action_listen")
