"""Soak: 50 simulated members asking at once, by every way in, with a /reindex and a gateway
drop in the middle; the real bot, engine and discord.py client against the fake Discord.

`make test` runs a short form (FOOTNOTE_SOAK_QUESTIONS, default 60); `make soak` runs 1,000 and
prints the figures the README quotes. Results also land in build/test-artifacts/soak.json.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import statistics
import threading
import time
from dataclasses import dataclass, field

import pytest

from bot.frontends.discord.bot import BUSY, FAILED
from tests.fake_discord import APP_ID, ASK_CHANNEL_ID, CHANNEL_ID, FORUM_ID, USER_ID, Request
from tests.web_browser import ARTIFACTS

pytestmark = pytest.mark.soak

QUESTIONS = int(os.environ.get("FOOTNOTE_SOAK_QUESTIONS", "60"))
MEMBERS = 50
ANSWER_TIMEOUT = 180.0  # a member gives up on an answer after this long: counted as failed
SEED_QUESTIONS = (
    "When is the TUC day of protest?",
    "Who leads the RCN?",
    "How many members does the PCS have?",
    "Who is the head of the PCS?",
    "What will the PCS stage at HM Revenue and Customs on Monday?",
    "Which union is the largest in the UK?",
    "What is the boiling point of tungsten?",
    "Who won the 2022 World Cup?",
)
FOLLOW_UPS = ("Who announced it?", "And how many members does it have?", "When was that?")
WAYS = ("slash", "mention", "ask channel", "forum post", "follow-up")
WEIGHTS = (30, 20, 20, 10, 20)


@dataclass
class Asked:
    """One question a member sent, and what came back for it."""

    way: str
    sent_at: float
    acked_at: float | None = None
    answered_at: float | None = None
    answers: int = 0
    acks: int = 0
    failed: bool = False
    answer_message: tuple[int, int] | None = None  # (message id, channel id)
    done: threading.Event = field(default_factory=threading.Event)


class Ledger:
    """What the fake saw, matched to the questions: a listener on every REST request. An event
    can arrive before the member has registered the id the fake gave its question; it waits."""

    def __init__(self) -> None:
        self.by_key: dict[str | int, Asked] = {}
        self.early: dict[str | int, list[tuple[str, Request, int, float]]] = {}
        self.lock = threading.Lock()

    def expect(self, key: str | int, asked: Asked) -> None:
        with self.lock:
            self.by_key[key] = asked
            waiting = self.early.pop(key, [])
        for kind, request, channel, at in waiting:
            self._apply(asked, kind, request, channel, at)

    def __call__(self, request: Request) -> None:
        at = time.monotonic()
        if request.method != "POST":
            return
        if match := re.fullmatch(r"/interactions/\d+/([^/]+)/callback", request.path):
            self._event(match.group(1), "ack", request, CHANNEL_ID, at)
        elif match := re.fullmatch(rf"/webhooks/{APP_ID}/([^/]+)", request.path):
            self._event(match.group(1), "followup", request, CHANNEL_ID, at)
        elif match := re.fullmatch(r"/channels/(\d+)/messages", request.path):
            reference = (request.body.get("message_reference") or {}).get("message_id")
            if reference:
                self._event(int(reference), "reply", request, int(match.group(1)), at)

    def _event(self, key, kind: str, request: Request, channel: int, at: float) -> None:
        with self.lock:
            asked = self.by_key.get(key)
            if asked is None:
                self.early.setdefault(key, []).append((kind, request, channel, at))
                return
        self._apply(asked, kind, request, channel, at)

    def _apply(self, asked: Asked, kind: str, request: Request, channel: int, at: float) -> None:
        if kind == "ack":
            asked.acks += 1
            asked.acked_at = asked.acked_at or at
            return
        if kind == "followup" and asked.answers:
            return  # continuation embeds of the same answer
        asked.answers += 1  # a second reply to one message would be a duplicate
        if asked.answers > 1:
            return
        asked.failed = (request.body.get("content") or "") in (FAILED, BUSY)
        asked.answered_at = at
        asked.acked_at = asked.acked_at or at
        if request.body.get("embeds") and request.reply:
            asked.answer_message = (int(request.reply["id"]), channel)
        asked.done.set()


def test_fifty_members_ask_at_once_through_a_reindex_and_a_gateway_drop(fake, start_bot, tmp_path):
    start_bot(
        discord_ask_channels=(ASK_CHANNEL_ID,),
        discord_forums=(FORUM_ID,),
        answer_queue=MEMBERS * 2,  # every member may wait at once: nobody should be told busy
    )
    ledger = Ledger()
    fake.listeners.append(ledger)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counter = iter(range(QUESTIONS))
    counter_lock = threading.Lock()
    asked: list[Asked] = []
    votes = [0]
    midway = threading.Event()

    def next_number() -> int | None:
        with counter_lock:
            return next(counter, None)

    def member(n: int) -> None:
        rng = random.Random(n)
        user_id = USER_ID + 1000 + n
        last_answer: tuple[int, int] | None = None
        while (number := next_number()) is not None:
            if number == QUESTIONS // 2:
                midway.set()
            way = rng.choices(WAYS, WEIGHTS)[0]
            if way == "follow-up" and last_answer is None:
                way = "mention"
            question = rng.choice(SEED_QUESTIONS)
            item = Asked(way, time.monotonic())
            asked.append(item)
            if way == "slash":
                key = fake.send_interaction("ask", {"question": question}, user_id=user_id)
            elif way == "mention":
                key = fake.send_message(f"<@{APP_ID}> {question}", user_id=user_id)
            elif way == "ask channel":
                key = fake.send_message(
                    question, user_id=user_id, channel_id=ASK_CHANNEL_ID, mentions_bot=False
                )
            elif way == "forum post":
                key = fake.send_forum_post(question, "", user_id=user_id)
            else:
                message_id, channel_id = last_answer
                key = fake.send_message(
                    f"<@{APP_ID}> {rng.choice(FOLLOW_UPS)}",
                    user_id=user_id,
                    channel_id=channel_id,
                    reply_to=message_id,
                )
            ledger.expect(key, item)
            if not item.done.wait(ANSWER_TIMEOUT):
                item.failed = True
                continue
            if item.answer_message:
                last_answer = item.answer_message
                if rng.random() < 0.2:
                    fake.send_reaction(item.answer_message[0], "👍", user_id=user_id)
                    votes[0] += 1

    reindex_token: list[str] = []

    def disrupt() -> None:
        midway.wait(timeout=600)
        reindex_token.append(
            fake.send_interaction("reindex", manage_guild=True, user_id=USER_ID + 999)
        )
        fake.drop_connection()

    started = time.monotonic()
    threads = [threading.Thread(target=member, args=(n,), daemon=True) for n in range(MEMBERS)]
    disruptor = threading.Thread(target=disrupt, daemon=True)
    for thread in [disruptor, *threads]:
        thread.start()
    for thread in threads:
        thread.join(timeout=QUESTIONS * 2 + 300)
    wall = time.monotonic() - started
    time.sleep(1.0)  # late duplicates, if any, would land now

    answered = [a for a in asked if a.answers and not a.failed]
    slash_acks = [(a.acked_at - a.sent_at) for a in asked if a.way == "slash" and a.acked_at]
    answer_times = [(a.answered_at - a.sent_at) for a in asked if a.answered_at]
    feedback = tmp_path / "votes.jsonl"
    fake.wait_until(
        lambda: votes[0] == 0 or len(feedback.read_text().splitlines()) >= votes[0], timeout=10
    )
    report = {
        "members": MEMBERS,
        "sent": len(asked),
        "answered": len(answered),
        "failed": sum(a.failed or not a.answers for a in asked),
        "duplicated": sum(a.answers > 1 or a.acks > 1 for a in asked),
        "by way": {way: sum(a.way == way for a in asked) for way in WAYS},
        "feedback votes": votes[0],
        "reindexed": any(
            (r.body.get("content") or "").startswith("Reindexed")
            for r in fake.find("POST", rf"/webhooks/{APP_ID}/{reindex_token[0]}")
        ),
        "gateway resumes": len(fake.resumes),
        # Interactions must be acknowledged within 3 s; messages show "typing" instead.
        "slash ack p50/p95/max s": [
            _p(slash_acks, 0.5),
            _p(slash_acks, 0.95),
            round(max(slash_acks, default=0.0), 3),
        ],
        "answer p50/p95 s": [_p(answer_times, 0.5), _p(answer_times, 0.95)],
        "wall s": round(wall, 1),
        "peak RSS MiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "RSS growth MiB": round(
            (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
        ),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "soak.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("\nsoak:", json.dumps(report))

    assert report["sent"] == QUESTIONS
    assert report["answered"] == report["sent"], report
    assert report["failed"] == 0 and report["duplicated"] == 0, report
    assert report["gateway resumes"] >= 1 and report["reindexed"]
    assert max(slash_acks) < 3.0  # Discord's window for acknowledging an interaction
    assert len(feedback.read_text().splitlines()) == votes[0] if votes[0] else True


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if q == 0.5:
        return round(statistics.median(values), 3)
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 3)
