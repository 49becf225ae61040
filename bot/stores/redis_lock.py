"""Rasa's Redis lock store, with each change to a lock made in one Redis transaction.

Rasa 3.6's RedisLockStore updates a conversation's ticket lock by reading it, changing it in Python
and writing it back. Two Rasa servers doing that at the same moment for one conversation overwrite
each other: both get the same ticket and work on the conversation together (turns are lost), or
one deletes the lock while the other is still waiting for it (its message fails). This was seen in
tests/test_scale_out.py and is RasaHQ/rasa issue 9213. This class keeps Rasa's lock format, key
names and waiting logic and changes one thing: every read-change-write of a lock runs under Redis
WATCH/MULTI, so it is retried instead of overwriting a concurrent change.

endpoints.yml (bot/endpoints_config.py writes it when REDIS_URL is set):
    lock_store:
      type: bot.stores.redis_lock.AtomicRedisLockStore
      url: <host>
      port: 6379
      db: 0
"""
from __future__ import annotations

import json
from typing import Any, Callable, Optional, Text, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
ATTEMPTS = 100


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa builds a lock store named by module path from its endpoint configuration alone.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text, change: Callable[[TicketLock], T]) -> T:
        """Apply `change` to the stored lock atomically; a lock left without tickets is deleted."""
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            for _ in range(ATTEMPTS):
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else self.create_lock(conversation_id)
                    result = change(lock)
                    pipe.multi()
                    if lock.is_someone_waiting():
                        pipe.set(key, lock.dumps())
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed the lock first: read it again
        raise LockError(f"Could not update the lock of conversation '{conversation_id}': too much contention")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except LockError:
            raise
        except Exception as e:  # as Rasa's own issue_ticket reports failures
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: Text) -> None:
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # Removing the ticket and deleting a lock nobody waits for happen in one transaction, so a
        # ticket issued meanwhile by another server is never deleted with it.
        self.finish_serving(conversation_id, ticket_number)

