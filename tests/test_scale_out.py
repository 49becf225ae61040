"""Two Rasa servers share one PostgreSQL tracker store and one Redis lock store (Rasa's own
scale-out path, set up by DB_URL and REDIS_URL through bot.endpoints_config), as several servers
behind a load balancer would. The PostgreSQL and Redis servers are real (tests/services.py)."""
import concurrent.futures
import threading
import uuid

import pytest
import requests

from bot import report
from tests.servers import RestClient
from tests.services import fresh_database, postgres_server, redis_server
from tests.stack import (assert_deo_skills, last_slot, port_of, start_action_server, start_bot, stored_events,
                         turns_are_serial, user_texts, write_endpoints)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale-out")
    with postgres_server() as server_url, fresh_database(server_url) as db_url, redis_server() as redis_url:
        actions = start_action_server("actions-scale-out")
        started = [actions]
        try:
            endpoints = write_endpoints(folder / "endpoints.yml", port_of(actions), db_url, redis_url)
            assert "lock_store" in endpoints.read_text() and "postgresql" in endpoints.read_text()
            for name in ("rasa-a", "rasa-b"):
                started.append(start_bot(actions, endpoints, db_url, name=name))
            yield {"a": RestClient(started[1].url), "b": RestClient(started[2].url), "db": db_url,
                   "redis": redis_url}
        finally:
            for server in reversed(started):
                server.stop()


def sender() -> str:
    return f"scale-{uuid.uuid4().hex[:10]}"


def test_one_conversation_alternating_between_servers_keeps_its_context(cluster):
    a, b, user = cluster["a"], cluster["b"], sender()
    assert "Data Entry Operator" in a.text(user, "what does a DEO do?")
    assert_deo_skills(b.text(user, "what skills do I need for it?"))
    assert "doesn't link a particular certification to the Data Entry Operator" in a.text(
        user, "which certification helps for that?")
    assert "From Data Entry Operator" in b.text(user, "what comes after that role?")
    # A new role named on one server is the context on the other.
    assert "ITIL Foundation" in a.text(user, "and which certification helps a tech support associate?")
    assert "From Technical Support Associate" in b.text(user, "what comes next after that?")

    events = stored_events(cluster["db"], user)
    assert len(user_texts(events)) == 6 and turns_are_serial(events)
    assert last_slot(events, "role") == "technical_support_associate"


# Each question has an answer no other question gets, so a reply can be matched to its question.
QUESTIONS = [
    ("what does a team leader do in bpo", "coach new joiners"),
    ("what is the work of a quality analyst", "client's standards"),
    ("what does an operations manager do", "managing people"),
    ("what is a transition manager", "workflow design"),
    ("what does a client relationship manager do", "delivery team"),
    ("what are the shift timings in bpo", "night and rotating shifts"),
    ("is a degree mandatory for bpo", "without a degree"),
    ("tell me about ITIL foundation", "IT support"),
]


@pytest.mark.parametrize("burst", range(3))
def test_concurrent_messages_of_one_conversation_are_handled_one_at_a_time(cluster, burst):
    user = sender()
    cluster["a"].text(user, "hi")  # the conversation exists before the burst
    start = threading.Barrier(len(QUESTIONS))

    def ask(index_question):
        index, (question, _) = index_question
        server = cluster["a"] if index % 2 == 0 else cluster["b"]
        start.wait()
        response = requests.post(server.url, json={"sender": user, "message": question}, timeout=120)
        return response.status_code, "\n".join(m.get("text", "") for m in response.json())

    with concurrent.futures.ThreadPoolExecutor(len(QUESTIONS)) as pool:
        results = list(pool.map(ask, enumerate(QUESTIONS)))

    for (question, fact), (status, text) in zip(QUESTIONS, results, strict=True):
        assert status == 200 and fact in text, (question, text)
    events = stored_events(cluster["db"], user)
    # None lost, none doubled, and never two messages in progress at once.
    assert sorted(user_texts(events)) == sorted(["hi"] + [q for q, _ in QUESTIONS])
    assert turns_are_serial(events), [(e["event"], e.get("name") or e.get("text")) for e in events]
    assert sum(1 for e in events if e["event"] == "bot") == len(QUESTIONS) + 1


def test_lock_tickets_stay_unique_when_servers_take_them_at_once(cluster):
    """Eight lock stores (as eight servers) take a ticket for one conversation at the same moment.

    Rasa's own RedisLockStore reads, changes and writes the lock, so some of them can get the same
    ticket; bot.stores.redis_lock.AtomicRedisLockStore must hand out 0..7 every time, and leave no
    lock behind once all are served.
    """
    import redis

    from bot.stores.redis_lock import AtomicRedisLockStore

    pool = redis.Redis.from_url(cluster["redis"]).connection_pool.connection_kwargs
    stores = [AtomicRedisLockStore(host=pool["host"], port=pool["port"], db=pool["db"]) for _ in range(8)]
    for _ in range(20):
        conversation = f"lock-{uuid.uuid4().hex}"
        start = threading.Barrier(len(stores))

        def take(store, start=start, conversation=conversation):
            start.wait()
            return store.issue_ticket(conversation)

        with concurrent.futures.ThreadPoolExecutor(len(stores)) as threads:
            tickets = list(threads.map(take, stores))
        assert sorted(tickets) == list(range(len(stores))), tickets  # Rasa numbers tickets from 0

        with concurrent.futures.ThreadPoolExecutor(len(stores)) as threads:
            list(threads.map(lambda store, ticket, c=conversation: store.cleanup(c, ticket), stores, tickets))
        assert stores[0].get_lock(conversation) is None


def test_the_servers_lock_conversations_in_redis_atomically(cluster):
    import redis

    client = redis.Redis.from_url(cluster["redis"])

    def calls(command):
        return client.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0)

    before = calls("watch"), calls("exec")
    cluster["a"].text(sender(), "what is bpo")
    cluster["b"].text(sender(), "what is bpo")
    # Each message takes and returns a ticket, each in a WATCH ... EXEC transaction.
    assert calls("watch") - before[0] >= 4 and calls("exec") - before[1] >= 4


def test_report_reads_the_postgresql_store(cluster, capsys):
    user = sender()
    cluster["b"].text(user, "what's the weather in delhi today")
    assert report.main(["--db-url", cluster["db"], "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert any(row.split(",")[0] in ("out_of_scope", "fallback") and "weather in delhi" in row for row in rows), rows
