"""The API's request bodies; responses are Answer payloads (bot.frontends.payload)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CONVERSATION_ID = r"^[A-Za-z0-9_-]{1,64}$"


class AskRequest(BaseModel):
    """A question; `conversation_id` from an earlier answer makes it a follow-up.

    `as_of` is the question's now (default today): articles dated after it are not evidence.
    `since`/`until` keep articles dated in that period (undated ones are left out), `source`
    those whose outlet holds one of the names given. Dates: 2023-01-05, 5 January 2023, ...
    """

    model_config = ConfigDict(extra="forbid")

    question: str
    conversation_id: str | None = Field(default=None, pattern=CONVERSATION_ID)
    k: int | None = Field(default=None, ge=1, le=20)
    as_of: str | None = Field(default=None, max_length=64, examples=["2023-01-05"])
    since: str | None = Field(default=None, max_length=64)
    until: str | None = Field(default=None, max_length=64)
    source: str | list[str] | None = Field(default=None, examples=["BBC"])


class TimelineRequest(BaseModel):
    """A topic to follow ("the rail strikes"), with the same now and filters as AskRequest."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(examples=["the rail strikes"])
    as_of: str | None = Field(default=None, max_length=64, examples=["2023-01-05"])
    since: str | None = Field(default=None, max_length=64)
    until: str | None = Field(default=None, max_length=64)
    source: str | list[str] | None = Field(default=None, examples=["BBC"])


class FeedbackRequest(BaseModel):
    """A 👍 ("up") or 👎 ("down") on an answer, by the `answer_id` the answer came with."""

    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(pattern=CONVERSATION_ID)
    vote: Literal["up", "down"]
