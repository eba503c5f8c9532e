"""Tuning: answering's hand-set numbers, each with where it came from.

The fitted numbers (choice and answerability weights, the abstention threshold) are the
reader's answering.json (bot/answering/answering_model.py); what a user may change is a Setting
(bot/settings.py). The rest, set by hand, is here. "Hand-set" means chosen when the code was
written and not measured since; the commit named is the one that set it.
"""

from __future__ import annotations

# Reading: how much the reader reads, and in what pieces.
# Candidate sentences read and windows scored, when answering.json names none (it names 6 and
# 6): they hold the gold span for 98.8% of held-out SQuAD questions (4 and 4: 97.2%).
SENTENCES_READ = 6
WINDOWS_READ = 6
MAX_LENGTH = 128  # tokens per window, special tokens included: what the reader was trained on
STRIDE = 48  # passage tokens consecutive windows share; the reader's training (README, The reader)
MAX_QUESTION_TOKENS = 40  # question tokens a window keeps; hand-set with the reader (306edb7)
SPANS_PER_WINDOW = 3  # best spans taken from each window; hand-set (306edb7)
MAX_ANSWER_TOKENS = 30  # longest span the reader may give, in tokens; hand-set (306edb7)
NO_READING_MARGIN = -20.0  # best no-answer margin with no window read: below any; 306edb7

# The prior: the sentence scorer Footnote answered with before it had a reader, its weights
# fitted by hand (7ce04c4) to 76.8% of answer sentences held out; candidates.PRIOR.
PRIOR_WEIGHTS = {
    "cosine": 1.0,  # embedding similarity of question and sentence
    "coverage": 1.1,  # IDF-weighted share of the question's words in the sentence
    "coverage_with_previous": 1.7,  # the same share over the sentence and the one before it
    "bigrams": 0.1,  # share of the question's word pairs found in the sentence
    "retrieval": 0.5,  # fused score of its passage relative to the top passage
    "type_match": 0.3,  # +1 holds a value of the asked type, -1 does not, 0 untyped question
    "novelty": 0.1,  # it says something beyond the question's own words
    "length": 0.1,  # words, capped at LENGTH_CAP: fragments and headings rarely answer
}
CONTEXT_WEIGHT = 0.5  # a word of an earlier turn, as a share of the question's; hand-set (7ce04c4)
# No question word weighs less than this share of an unseen word's IDF: BM25 gives a word in
# half a small corpus's passages an IDF of zero; hand-set (7ce04c4).
MIN_WEIGHT_SHARE = 0.25
NOVELTY_CAP = 4  # new content words past which novelty counts no more; hand-set (7ce04c4)
LENGTH_CAP = 20  # sentence words past which length counts no more; hand-set (7ce04c4)
PREFIX_LETTERS = 4  # stems this long sharing a prefix match in part (lead/leader); 7ce04c4
PREFIX_CREDIT = 0.5  # what such a partial match counts, against 1 for the same stem; 7ce04c4

# Unseen words (rarity.py): English Zipf frequencies, from wordfreq 3.1.1 (1228e81).
RARE = 2.5  # the Zipf frequency assumed for a word not in the list (it is used less than 3)
COMMON = 6.0  # at or above it a word weighs the least
LEAST = 0.25  # what a word used everywhere weighs, as a share of a rare word's weight

# Span choice and answerability (choice.py, answerability.py).
SPAN_WORDS_CAP = 10  # span words past which its length feature counts no more; 306edb7
CHOICE_GAP_CAP = 5.0  # choice-score gap to the runner-up, capped (and with none); 306edb7

# Citations and earlier reports (citations.py, pipeline.py).
MIN_QUOTED_WORDS = 6  # a shorter sentence (a heading) gets its successor quoted too; 7ce04c4
SAME_QUOTE_OVERLAP = 0.8  # word overlap (Jaccard) above which two quotes are one; 7ce04c4
EARLIER_REPORTS = 2  # older reports shown under the newest one that answers otherwise; bcdd270

# Questions (question.py, follow_up.py): hand-set (d2806a2, bc97da6), not measured.
LATIN_SHARE = 0.5  # below this share of Latin letters a question is plainly another language
LANGUAGE_MIN_WORDS = 3  # fewer words than this are never judged another language
FOREIGN_WORDS = 2  # another language's function words that, with no English one, mark it
FOLLOW_UP_WORDS = 12  # a follow-up is short: at most this many words
