"""A Timeline as Discord embeds: one field per report under its date, article text escaped."""

from __future__ import annotations

import discord

from bot.frontends.discord.render import (
    ABSTAIN_COLOUR,
    ANSWER_COLOUR,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MAX_FIELDS,
    escape,
    fit,
    quote,
)
from bot.frontends.labels import readable_date, source_label
from bot.frontends.timelines import NOTHING_FOUND, UNDATED_HEADING
from bot.timeline import Timeline, TimelineEntry

SOURCES_ROOM = 400  # of a field's 1,024 characters, kept for the source lines under the quote


def render_timeline(timeline: Timeline) -> list[discord.Embed]:
    """One embed per message to send, each within Discord's limits: the title and the first
    reports, then "Timeline (continued)" for the rest, oldest first, the undated last."""
    title = fit(escape(f"Timeline: {timeline.topic}"), EMBED_TITLE_LIMIT)
    footer = fit(_footer(timeline), FOOTER_LIMIT)
    if not timeline.found:
        embed = discord.Embed(title=title, description=NOTHING_FOUND, colour=ABSTAIN_COLOUR)
        return [embed.set_footer(text=footer)]
    embeds = [discord.Embed(title=title, colour=ANSWER_COLOUR).set_footer(text=footer)]
    for entry in timeline.entries:
        name, value = _field(entry)
        if len(embeds[-1].fields) >= MAX_FIELDS or len(embeds[-1]) + len(name) + len(value) > (
            EMBED_TOTAL_LIMIT
        ):
            embeds.append(discord.Embed(title="Timeline (continued)", colour=ANSWER_COLOUR))
        embeds[-1].add_field(name=name, value=value, inline=False)
    return embeds


def _field(entry: TimelineEntry) -> tuple[str, str]:
    """ "7 April 2013" over the quote and its numbered sources (title — outlet — date)."""
    heading = readable_date(entry.date) if entry.date else UNDATED_HEADING
    numbers = "".join(f"[{c.n}]" for c in entry.sources)
    sources = "\n".join(f"[{c.n}] {escape(source_label(c, ' — '))}" for c in entry.sources)
    sources = fit(sources, SOURCES_ROOM)
    room = FIELD_VALUE_LIMIT - len(sources) - len(numbers) - 2
    value = f"{quote(entry.quote, room)} {numbers}\n{sources}"
    return fit(heading, FIELD_NAME_LIMIT), value


def _footer(timeline: Timeline) -> str:
    seconds = timeline.timings_ms.get("total", 0.0) / 1000
    count = len(timeline.entries)
    reports = f"{count} report{'s' * (count != 1)}, oldest first · " if count else ""
    return f"{reports}Found in {seconds:.2f} s"
