"""The API's request bodies; responses are Answer payloads (bot.frontends.payload)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CONVERSATION_ID = r"^[A-Za-z0-9_-]{1,64}$"


class AskRequest(BaseModel):
    """A question; `conversation_id` from an earlier answer makes it a follow-up."""

    model_config = ConfigDict(extra="forbid")

    question: str
    conversation_id: str | None = Field(default=None, pattern=CONVERSATION_ID)
    k: int | None = Field(default=None, ge=1, le=20)


class FeedbackRequest(BaseModel):
    """A 👍 ("up") or 👎 ("down") on an answer, by the `answer_id` the answer came with."""

    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(pattern=CONVERSATION_ID)
    vote: Literal["up", "down"]
