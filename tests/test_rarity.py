"""Rarity: English word frequencies, and how much a question word the articles lack weighs."""

from __future__ import annotations

from bot.answering.answer_types import AnswerType
from bot.answering.candidates import question_terms
from bot.answering.rarity import FREQUENCY_FILE, unseen_share, zipf_frequency
from index.tokens import tokenize


def test_the_frequency_list_ships_with_the_package():
    assert FREQUENCY_FILE.is_file()
    assert zipf_frequency("the") > 7 > zipf_frequency("union") > zipf_frequency("caliphate")


def test_lookup_ignores_case_and_an_unlisted_word_counts_as_rare():
    assert zipf_frequency("Wimbledon") == zipf_frequency("wimbledon")
    assert zipf_frequency("sourdough") < 3
    assert zipf_frequency("zzqxv") < 3


def test_a_word_english_uses_everywhere_keeps_less_weight_than_a_rare_one():
    assert unseen_share("sourdough") == 1.0
    assert unseen_share("caliphate") > unseen_share("demo") > unseen_share("boss")
    assert unseen_share("the") == 0.25


def test_an_unseen_common_word_weighs_less_than_an_unseen_rare_one():
    # Articles about strikes say "leader", not "boss", and never mention Wimbledon.
    seen = {"union": 1.0}
    terms = question_terms(
        "Is the union boss at Wimbledon?",
        AnswerType.OTHER,
        tokenize,
        lambda token: seen.get(token),
        4.0,
    )
    assert terms.weights["wimbledon"] > terms.weights["boss"] >= 1.0
    assert terms.weights["union"] == 1.0
