"""Reading ratings back from a conversation over Rasa's HTTP API, for the feedback tests of every channel."""
import time


def events_after(platform, conversation, text, times=1, timeout=15):
    """The conversation's events once the message `text` has been handled `times` times: Rasa stores
    a turn after its replies are out, so the store is read only when the turn ends listening."""
    deadline = time.monotonic() + timeout
    while True:
        events = platform.rest.tracker(str(conversation))["events"]
        said = [e for e in events if e["event"] == "user" and e.get("text") == text]
        if len(said) >= times and events[-1]["event"] == "action" and events[-1]["name"] == "action_listen":
            return events
        assert time.monotonic() < deadline, f"{text!r} was not handled {times} time(s) in {conversation}"
        time.sleep(0.2)


def ratings_in(events):
    """The values of the `feedback` slot events (bot/feedback.py): the ratings that counted."""
    return [e["value"] for e in events if e["event"] == "slot" and e["name"] == "feedback"]
