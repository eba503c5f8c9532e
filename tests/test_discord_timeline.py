"""/timeline and "What happened with X?" on the real discord.py client against the fake Discord."""

from __future__ import annotations

import time

import pytest

from bot.answering import Citation
from bot.timeline import Timeline, TimelineEntry
from tests.discord_harness import (
    EPHEMERAL,
    NO_MENTIONS,
    assert_pings_nobody,
    callback,
    embed_text,
    followup,
    posted_in,
)
from tests.fake_discord import APP_ID, CHANNEL_ID, too_long

# The fake's ids are snowflakes of late January 2024: its questions are asked then.
AS_OF_THE_FAKE = ["10 March 2021", "2 June 2022", "15 September 2023", "Undated"]


def headings(body: dict) -> list[str]:
    return [f["name"] for embed in body["embeds"] for f in embed.get("fields", [])]


def test_timeline_lists_reports_by_date_as_of_when_it_was_asked(fake, start_bot, ferry_engine):
    start_bot(footnote=ferry_engine)
    commands = {c["name"]: c for c in fake.wait_for("PUT", r"/applications/.*/commands").body}
    assert [o["name"] for o in commands["timeline"]["options"]] == [
        "topic",
        "since",
        "until",
        "source",
    ]
    token = fake.send_interaction("timeline", {"topic": "the Lundy ferry"})
    assert callback(fake, token)["type"] == 5  # deferred within Discord's 3 seconds
    body = followup(fake, token)
    assert body["allowed_mentions"] == NO_MENTIONS
    assert body["embeds"][0]["title"] == "Timeline: the Lundy ferry"
    # The anniversary piece of June 2024 was published after the question was asked.
    assert headings(body) == AS_OF_THE_FAKE
    crack = body["embeds"][0]["fields"][1]["value"]
    assert "Sailings of the Lundy ferry were cancelled" in crack and "[2][3]" in crack
    assert "[2] Lundy ferry cancelled over hull crack — BBC News — 2 June 2022" in crack
    assert "[3] Crack in hull halts Lundy sailings — Devon Live — 3 June 2022" in crack
    assert "[5] ferry-record — undated" in body["embeds"][0]["fields"][3]["value"]


def test_timeline_options_filter_and_a_bad_date_is_told_to_the_asker_alone(
    fake, start_bot, ferry_engine
):
    start_bot(footnote=ferry_engine)
    token = fake.send_interaction("timeline", {"topic": "the Lundy ferry", "source": "devon"})
    # "devon": the North Devon Gazette and Devon Live; the BBC's copy of the crack is left out.
    assert headings(followup(fake, token)) == ["10 March 2021", "3 June 2022"]
    bad = fake.send_interaction("timeline", {"topic": "the Lundy ferry", "until": "soonish"})
    body = callback(fake, bad)
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert "until: 'soonish' is not a date" in body["data"]["content"]


def test_what_happened_with_in_a_mention_is_answered_with_the_timeline(
    fake, start_bot, ferry_engine
):
    start_bot(footnote=ferry_engine)
    asked = fake.send_message(f"<@{APP_ID}> What happened with the Lundy ferry?")
    body = posted_in(fake, CHANNEL_ID)
    assert int(body["message_reference"]["message_id"]) == asked
    assert_pings_nobody(body)
    assert headings(body) == AS_OF_THE_FAKE
    fake.send_message(f"<@{APP_ID}> What happened with the football World Cup?")
    nothing = posted_in(fake, CHANNEL_ID, count=2)
    assert "I couldn't find anything about that in the sources." in embed_text(nothing)


@pytest.fixture(scope="module")
def pinging_engine(tmp_path_factory, embedder):
    """Dated reports whose text tries to ping everyone and a role, in markdown."""
    from bot.footnote import Footnote
    from bot.settings import Settings

    folder = tmp_path_factory.mktemp("pinging-fete")
    for day, text in [
        ("2023-05-01", "The village fete will be held on 3 June, @everyone, on the green."),
        ("2023-06-04", "The village fete raised <@&1100000000000000300> **900 pounds** this year."),
    ]:
        (folder / f"fete-{day}.md").write_text(f"---\ndate: {day}\n---\n{text}\n", "utf-8")
    settings = Settings(index_dir=folder / "index", corpus=(folder,))
    return Footnote.open(settings, embedder=embedder)


def test_quoted_article_text_cannot_ping_anyone(fake, start_bot, pinging_engine):
    start_bot(pinging_engine)
    token = fake.send_interaction("timeline", {"topic": "the village fete"})
    body = followup(fake, token)
    text = embed_text(body)
    assert body["allowed_mentions"] == NO_MENTIONS
    assert headings(body) == ["1 May 2023", "4 June 2023"]
    assert "@\u200beveryone" in text and "@everyone" not in text
    assert "<@&1100000000000000300>" not in text and "\\*\\*900 pounds\\*\\*" in text


class HugeTimelines:
    """Stands in for the engine: every timeline is over every Discord limit."""

    def timeline(self, topic, *, scope=None):
        passage = "A very long sentence about the ferry and its crew, " * 100
        entries = tuple(
            TimelineEntry(
                f"2023-01-{day:02d}",
                passage,
                tuple(
                    Citation(3 * day + i, f"a-{day}-{i}", "T" * 300, f"2023-01-{day:02d}", 0,
                             len(passage), passage, 1.0, "O" * 200)
                    for i in range(3)
                ),
            )
            for day in range(1, 29)
        )  # fmt: skip
        return Timeline(topic, entries, {"total": 5.0})


def test_an_oversized_timeline_is_split_into_messages_discord_accepts(fake, start_bot):
    start_bot(HugeTimelines())
    token = fake.send_interaction("timeline", {"topic": "T" * 900})
    followup(fake, token)
    fake.wait_until(lambda: len(fake.find("POST", rf"/webhooks/{APP_ID}/{token}")) >= 3)
    time.sleep(0.5)  # let the rest of the continuation messages arrive
    sent = fake.find("POST", rf"/webhooks/{APP_ID}/{token}")
    assert all(r.status == 200 for r in sent)  # the fake refuses (400) whatever Discord would
    assert all(too_long(r.body) is None for r in sent)
    names = [f["name"] for r in sent for f in r.body["embeds"][0].get("fields", [])]
    assert names == [f"{day} January 2023" for day in range(1, 29)]  # none lost, in order
