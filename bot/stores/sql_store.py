"""Rasa's SQL tracker store, closing a turn that was stored without ever ending.

Before bot/policies/turn_guard.py, Rasa 3.6 could end a turn without `action_listen` (a fallback
action predicted again and again until its limit of 10). Such a conversation stays dead for good,
and not only for the dialogue policies: Rasa's circuit breaker counts the actions since the last
`action_listen`, not since the last user message, so every later message of that conversation
trips it at once and gets no reply. When this store reads such a conversation, it adds the
`action_listen` the turn never reached (saved with the next change, like any new event), so the
next message is handled as in any other conversation. Everything else is Rasa's SQLTrackerStore:
SQLite and PostgreSQL alike, same table, same settings.

endpoints:   tracker_store: {type: bot.stores.sql_store.ListeningSQLTrackerStore, dialect: ..., ...}
(bot/endpoints_config.py writes it.)
"""
from __future__ import annotations

from typing import Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def ended(tracker: Optional[DialogueStateTracker]) -> Optional[DialogueStateTracker]:
    """`tracker`, with `action_listen` appended when its last turn ran actions but never listened;
    None stays None. Changes the tracker in place and returns it."""
    if tracker is None:
        return None
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return tracker  # a turn in progress, or one that ran nothing: not this store's to judge
        if isinstance(event, ActionExecuted):
            if event.action_name not in (ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME):
                tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            return tracker
    return tracker


class ListeningSQLTrackerStore(SQLTrackerStore):
    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return ended(await super().retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return ended(await super().retrieve_full_tracker(conversation_id))
