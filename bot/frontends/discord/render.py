"""Discord rendering: an Answer as embeds that fit Discord's limits, with article text escaped."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.answering import ABSTAIN_TEXT, Answer, Citation
from bot.answering.answer import Earlier
from bot.frontends.labels import readable_date, source_label

if TYPE_CHECKING:
    from index import BuildReport

# Discord's hard limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
# Going over any of them makes the API reject the whole message, so everything is trimmed to fit.
CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
MAX_FIELDS = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000  # title + description + field names and values + footer + author
MAX_EMBEDS = 10  # per message; the 6,000 total counts across all of them
THREAD_NAME_LIMIT = 100

ELLIPSIS = "…"
ANSWER_COLOUR = discord.Colour.blurple()
ABSTAIN_COLOUR = discord.Colour.light_grey()


def escape(text: str) -> str:
    """Article or user text made inert: no markdown formatting and no working mentions."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def fit(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in an ellipsis when something was cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    # A dangling backslash would escape the ellipsis, and half an escape can re-enable markdown.
    return cut.rstrip("\\") + ELLIPSIS


def quote(text: str, limit: int) -> str:
    """Escaped text as a Discord block quote of at most `limit` characters."""
    lines = [line for line in (escape(line.strip()) for line in text.splitlines()) if line]
    return fit("\n".join(f"> {line}" for line in lines) or "> …", limit)


def render_answer(answer: Answer) -> list[discord.Embed]:
    """One embed per message to send: the answer first, sources continued in later ones if need be.

    Every embed is within each of Discord's limits and within EMBED_TOTAL_LIMIT on its own, so
    sending each as its own message can never be refused for size.
    """
    footer = fit(_footer(answer), FOOTER_LIMIT)
    title = fit(escape(answer.question), EMBED_TITLE_LIMIT)
    if answer.abstained:
        first = discord.Embed(title=title, description=ABSTAIN_TEXT, colour=ABSTAIN_COLOUR)
        return [first.set_footer(text=footer)]
    room = EMBED_TOTAL_LIMIT - len(title) - len(footer)
    description = _description(answer, min(EMBED_DESCRIPTION_LIMIT, room))
    embeds = [discord.Embed(title=title, description=description, colour=ANSWER_COLOUR)]
    embeds[0].set_footer(text=footer)
    for citation in answer.citations:
        name, value = _field(citation)
        if len(embeds[-1].fields) >= MAX_FIELDS or len(embeds[-1]) + len(name) + len(value) > (
            EMBED_TOTAL_LIMIT
        ):
            embeds.append(discord.Embed(title="Sources (continued)", colour=ANSWER_COLOUR))
        embeds[-1].add_field(name=name, value=value, inline=False)
    return embeds


def render_text(text: str) -> str:
    """A plain message (errors, notices), escaped and within CONTENT_LIMIT."""
    return fit(escape(text), CONTENT_LIMIT)


def render_report(report: BuildReport) -> str:
    """The summary of a reindex, as one message."""
    lines = [
        f"Reindexed {report.articles} articles into {report.chunks} chunks "
        f"({report.sentences} sentences) in {report.seconds:.1f} s: "
        f"{report.embedded} texts embedded, {report.reused} reused.",
        f"Articles: {report.changes()}.",
    ]
    if report.removed:  # an article gone by mistake should be noticed, so it is named
        lines.append("Removed: " + ", ".join(escape(r) for r in report.removed) + ".")
    if report.skipped:
        lines.append(f"Skipped {len(report.skipped)} files:")
        lines += [f"- {escape(s.path)}: {escape(s.reason)}" for s in report.skipped]
    return fit("\n".join(lines), CONTENT_LIMIT)


def thread_name(question: str) -> str:
    """A thread title from a question (thread names are plain text, so no escaping)."""
    return fit(" ".join(question.split()) or "Follow-up", THREAD_NAME_LIMIT)


def _description(answer: Answer, limit: int) -> str:
    short = f"**{fit(escape(answer.short_answer), 500)}**\n" if answer.short_answer else ""
    marker = " [1]" if answer.citations else ""
    earlier = [_earlier(report) for report in answer.earlier]
    room = limit - len(short) - len(marker) - sum(len(e) for e in earlier)
    if room < 200:  # the answer's own quote comes first; earlier reports only where they fit
        earlier, room = [], limit - len(short) - len(marker)
    return short + quote(answer.answer or "", room) + marker + "".join(earlier)


def _earlier(report: Earlier) -> str:
    """ "*Earlier (20 February 2024):*" and the older report's quote, cited."""
    return (
        f"\n\n*Earlier ({readable_date(report.date)}):*\n{quote(report.answer, 600)} [{report.n}]"
    )


def _field(citation: Citation) -> tuple[str, str]:
    label = source_label(citation, " — ")
    name = fit(f"[{citation.n}] {escape(label)}", FIELD_NAME_LIMIT)
    # Backticks are dropped from the id so it cannot break out of its inline code span.
    head = f"`{fit(citation.article_id.replace('`', ''), 200)}`\n"
    return name, head + quote(citation.text, FIELD_VALUE_LIMIT - len(head))


def _footer(answer: Answer) -> str:
    seconds = answer.timings_ms.get("total", 0.0) / 1000
    parts = [f"Answered in {seconds:.2f} s"]
    if not answer.abstained:
        parts.append(f"confidence {answer.confidence:.2f}")
    return " · ".join(parts)
