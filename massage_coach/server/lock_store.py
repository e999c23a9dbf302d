"""A Redis lock store that is safe when several Rasa servers share it.

Rasa Open Source 3.6's RedisLockStore reads a conversation's ticket lock, changes it and
writes it back in separate commands. Two servers receiving turns of one conversation at the
same moment both read the same lock, both get the same ticket and both run the turn: the
person hears a step twice and one turn is lost (RasaHQ/rasa#9213; the fix, a concurrent lock
store, went to Rasa Pro only). Here every read-change-write is one Redis transaction
(WATCH/MULTI, retried when another server changed the lock in between).

endpoints.scaled.yml names it: `lock_store: type: massage_coach.server.lock_store.ConcurrentRedisLockStore`.
"""

from __future__ import annotations

import json
from typing import Callable, Optional, Text, Tuple, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

Result = TypeVar("Result")
# A change gets the stored lock (None: there is none) and returns the lock to store
# (None: delete it) and its result.
LockChange = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]  # generic alias


class ConcurrentRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _change_atomically(self, conversation_id: Text, change: "LockChange[Result]") -> Result:
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as transaction:
            while True:
                try:
                    transaction.watch(key)
                    stored = transaction.get(key)
                    lock, result = change(TicketLock.from_dict(json.loads(stored)) if stored else None)
                    transaction.multi()
                    if lock is None:
                        transaction.delete(key)
                    else:
                        transaction.set(key, lock.dumps())
                    transaction.execute()
                    return result
                except redis.WatchError:  # another server changed the lock first: try again
                    continue

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._change_atomically(conversation_id, issue)

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change_atomically(conversation_id, drop_expired)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # Rasa's version removes the ticket, then deletes the lock if nobody waits, in two
        # steps: a ticket issued in between would be deleted with the lock.
        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return (lock if lock is not None and lock.is_someone_waiting() else None), None

        self._change_atomically(conversation_id, finish)
