"""Many conversations at once over Rasa's REST channel or the web chat, each reply checked against its question.

Used by tests/test_load.py (50 conversations x 20 turns over REST and 20 over the web chat, at the
same time: nothing may fail, go missing or reach the wrong conversation) and by measure/bench.py
(latency, throughput, growth over a long conversation). Loopback only; every loop is bounded by its
script, and every request by a timeout.

Each conversation of the project's script walks through roles in an order of its own: the role
question, then three follow-ups that only make sense with that role in context ("what skills do I
need for it?"). The expected reply is the exact text bot/answers.py composes for that role, so a
reply that belongs to another conversation, or a lost context, shows as a mismatch.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import aiohttp

# (question as a person types it, knowledge id of the role it names)
ROLE_QUESTIONS = [
    ("what does a customer service executive do", "customer_service_executive"),
    ("tell me about the technical support associate job", "technical_support_associate"),
    ("what is the role of a data entry operator", "data_entry_operator"),
    ("what does a process associate do", "process_associate"),
    ("what does a team leader do in bpo", "team_leader"),
    ("what is the work of a quality analyst", "quality_analyst"),
    ("what does an operations manager do", "operations_manager"),
    ("what is a transition manager", "transition_manager"),
    ("what does a client relationship manager do", "client_relationship_manager"),
]
FOLLOW_UPS = [
    ("what skills do I need for it?", "role_skills"),
    ("which certification helps for that?", "role_certifications"),
    ("what comes after that role?", "career_path"),
]

# Steps through the nine roles that share no factor with nine, so each visits all of them. A first
# role (9), a stride (6) and a rotation of the follow-ups (3) give 162 different scripts, so no two
# conversations of a load test say the same things and a crossed reply cannot pass for the right one.
STRIDES = [1, 2, 4, 5, 7, 8]

Step = Tuple[str, Optional[str]]  # message, exact reply text expected (None: any non-empty reply)


def project_scripts(conversations: int, turns: int) -> List[List[Step]]:
    """One script per conversation, `turns` long, in blocks of a role question and its follow-ups."""
    from bot.answers import Composer
    from bot.knowledge import load

    knowledge = load()
    composer = Composer(knowledge)
    roles = {entry.id: entry for entry in knowledge.all_entries() if entry.kind == "roles"}
    scripts = []
    for c in range(conversations):
        script: List[Step] = []
        first, rest = c % len(ROLE_QUESTIONS), c // len(ROLE_QUESTIONS)
        stride, rotation = STRIDES[rest % len(STRIDES)], rest // len(STRIDES)
        block = 0
        while len(script) < turns:
            question, role_id = ROLE_QUESTIONS[(first + block * stride) % len(ROLE_QUESTIONS)]
            role = roles[role_id]
            script.append((question, composer.role(role).text))
            for offset in range(len(FOLLOW_UPS)):
                follow_up, method = FOLLOW_UPS[(rotation + block + offset) % len(FOLLOW_UPS)]
                script.append((follow_up, getattr(composer, method)(role).text))
            block += 1
        scripts.append(script[:turns])
    return scripts


STOCK_MESSAGES = ["hello", "I am sad", "yes", "great", "are you a bot?", "bye"]


def stock_scripts(conversations: int, turns: int) -> List[List[Step]]:
    """For a `rasa init` bot: its own example phrases, any reply accepted."""
    return [[(STOCK_MESSAGES[(c + t) % len(STOCK_MESSAGES)], None) for t in range(turns)]
            for c in range(conversations)]


@dataclass
class Result:
    turns: int = 0
    latencies: List[float] = field(default_factory=list)  # seconds, one per answered turn
    failed: List[str] = field(default_factory=list)  # transport errors and non-200 answers
    lost: List[str] = field(default_factory=list)  # 200 but no reply
    wrong: List[str] = field(default_factory=list)  # a reply that is not this turn's, or not for this sender
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.failed or self.lost or self.wrong) and len(self.latencies) == self.turns

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank]

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def summary(self) -> str:
        return (f"{self.turns} turns in {self.elapsed:.1f} s ({self.throughput:.1f}/s): "
                f"p50 {self.percentile(50) * 1000:.0f} ms, p95 {self.percentile(95) * 1000:.0f} ms, "
                f"p99 {self.percentile(99) * 1000:.0f} ms; failed {len(self.failed)}, lost {len(self.lost)}, "
                f"wrong {len(self.wrong)}")


@dataclass(frozen=True)
class Channel:
    """Where a channel takes a message on a server, and how its answer carries the replies."""
    path: str
    replies_key: Optional[str]  # the replies are a list under this key; None: the body is the list
    addressed: bool  # each reply names its recipient (REST); the web chat answers only the asker

    def replies(self, body: object) -> List[dict]:
        replies = body.get(self.replies_key) if self.replies_key and isinstance(body, dict) else body
        if not isinstance(replies, list):
            raise ValueError(f"no list of replies in {str(body)[:200]}")
        return replies


REST = Channel("/webhooks/rest/webhook", replies_key=None, addressed=True)
# Its replies carry no recipient: a crossed reply shows as a text that is not this turn's answer.
WEBCHAT = Channel("/webchat/message", replies_key="messages", addressed=False)


async def _conversation(session: aiohttp.ClientSession, urls: Sequence[str], sender: str, script: Sequence[Step],
                        result: Result, timeout: float, first: int, channel: Channel) -> None:
    for number, (message, expected) in enumerate(script):
        url = urls[(first + number) % len(urls)]  # several servers: turn by turn, as a round-robin proxy
        where = f"{sender} turn {number + 1} {message!r}"
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": message},
                                    timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                body = await response.text()
                if response.status != 200:
                    result.failed.append(f"{where}: HTTP {response.status} {body[:200]}")
                    continue
                replies = channel.replies(await response.json(content_type=None))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            result.failed.append(f"{where}: {error.__class__.__name__} {error}")
            continue
        result.latencies.append(time.perf_counter() - started)
        texts = [r.get("text") for r in replies if r.get("text")]
        if not texts:
            result.lost.append(f"{where}: no reply")
        elif channel.addressed and any(r.get("recipient_id") != sender for r in replies):
            result.wrong.append(f"{where}: reply addressed to {[r.get('recipient_id') for r in replies]}")
        elif expected is not None and "\n".join(texts) != expected:
            result.wrong.append(f"{where}: got {texts[0][:80]!r}, expected {expected[:80]!r}")


async def run(url: Union[str, Sequence[str]], scripts: Dict[str, Sequence[Step]], timeout: float = 60.0,
              channel: Channel = REST) -> Result:
    """Every conversation at once, each one's turns one after another; `url` is a server's base URL,
    or a list of them (several servers sharing the conversations), taken in turn."""
    urls = [u.rstrip("/") + channel.path for u in ([url] if isinstance(url, str) else url)]
    result = Result(turns=sum(len(s) for s in scripts.values()))
    connector = aiohttp.TCPConnector(limit=len(scripts) or 1)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(_conversation(session, urls, sender, script, result, timeout, index, channel)
                               for index, (sender, script) in enumerate(scripts.items())))
        result.elapsed = time.perf_counter() - started
    return result


def run_blocking(url: Union[str, Sequence[str]], scripts: Dict[str, Sequence[Step]], timeout: float = 60.0,
                 channel: Channel = REST) -> Result:
    return asyncio.run(run(url, scripts, timeout, channel))


def named(prefix: str, scripts: List[List[Step]]) -> Dict[str, List[Step]]:
    return {f"{prefix}-{index:03d}": script for index, script in enumerate(scripts)}


def browser_named(scripts: List[List[Step]]) -> Dict[str, List[Step]]:
    """Keyed by random ids, as the web chat's widget makes them (it refuses any other sender)."""
    return {uuid.uuid4().hex: script for script in scripts}


ScriptMaker = Callable[[int, int], List[List[Step]]]
