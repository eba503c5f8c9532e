"""Answering: a question and retrieved passages in, a verbatim, cited Answer out.

The stages, each a module: `question` (clean, with `language`), `answer_types` (what kind of
answer), `candidates` (sentences and their features), `reading` (the reader's spans, `reader` +
`windows` + `spans`), `choice` (which span), `answerability` (whether to answer at all),
`citations` (quote and sources). `pipeline` runs them.
"""

from bot.answering.answer import ABSTAIN_TEXT, Answer, Citation, abstention
from bot.answering.config import AnsweringConfig
from bot.answering.follow_up import Conversation
from bot.answering.pipeline import answer_question

__all__ = [
    "ABSTAIN_TEXT",
    "Answer",
    "AnsweringConfig",
    "Citation",
    "Conversation",
    "abstention",
    "answer_question",
]
