"""Vocabulary: the words, word lists and word shapes by which index and answering read text.

Index (BM25 tokens, aliases, referents, time words) and answering (overlap, short answers) read
the same English; each list or pattern is defined here once, for both. Where two readers need
different ones, both stand side by side, named for their role, with the reason they differ.
This module is among the build's text rules (index/planning.py, TEXT_RULES): a change here has
every article's spans, aliases, referents and BM25 counts made anew on the next build.
"""

from __future__ import annotations

import functools
import unicodedata

# Words. Two patterns, as two readers need: BM25 indexes "rock'n'roll" and "o’brien" (curly
# apostrophe) as one token; answering's word offsets take one straight apostrophe only, so
# "o’brien" is two words there, "o" and "brien". A trailing apostrophe is in neither, so
# "nurses'" folds into "nurses".
BM25_WORD = r"\w+(?:['’]\w+)*"
ANSWERING_WORD = r"\w+(?:'\w+)?"

# Stopwords. Two lists, for two roles. BM25's is the usual short English list: what the index
# leaves out of its terms (numbers are kept on purpose: "24-hour" and "2013" are often what a
# question hinges on). Answering's function words are what carries no evidence that a sentence
# answers a question: it adds wh-words, modals and question-framing verbs ("what happened",
# "what does X mean"), which BM25 keeps since a sentence that names them still matches.
_BM25_STOPWORDS_TEXT = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    don't doesn't didn't isn't aren't wasn't weren't hasn't haven't hadn't won't wouldn't can't
    couldn't shouldn't i'm i've i'll i'd you're you've we're we've they're they've it'll that'll
"""
BM25_STOPWORDS = frozenset(_BM25_STOPWORDS_TEXT.split())
_FUNCTION_WORDS_TEXT = """
    a an the and or but nor so yet if then than that this these those there here it its it's
    i me my we us our you your he him his she her they them their who whom whose what which when
    where why how whatever whichever is am are was were be been being do does did done doing
    have has had having will would shall should can could may might must of in on at by for
    from to into onto upon with without about above below over under between among through
    during before after since until while as per via not no yes also just only very too
    some any each every all both either neither other such own same more most less least much
    many few several one's s t d ll re ve m o don't didn't doesn't isn't aren't wasn't weren't
    name named called kind type happen happened happens occur occurred occurs mean means meant
    refer refers referred describe described
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())

# The calendar, in order. "Sept" before "Sep", so a pattern tries the longer first. May has no
# abbreviation of its own.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sept",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
# Each month's name and abbreviations, casefolded, to its number: "sept" -> 9.
MONTH_NUMBERS = {
    name.casefold(): n
    for n, month in enumerate(MONTHS, 1)
    for name in (month, *(short for short in MONTH_ABBREVIATIONS if month.startswith(short)))
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Units of time, as durations ("three weeks") and periods ("the past two years") are counted.
TIME_UNITS = ("year", "month", "week", "day", "hour", "minute", "second", "decade")
# The units a question's "the past 3 months" may count in (index/time_words.py).
CALENDAR_UNITS = ("day", "week", "month", "year")


def units_pattern(units: tuple[str, ...]) -> str:
    """An alternation of the units, each singular or plural: "days?|weeks?"."""
    return "|".join(f"{unit}s?" for unit in units)


# Capitalised words and runs of them: names. Three readers, three shapes, kept apart because
# each was tuned on its own task. The index's word keeps "&" and curly apostrophes ("AT&T",
# "O’Brien"); answering's keeps dots ("U.S.", "St.") but not "&", since a short answer is cut
# at one.
CAPITALISED_WORD = r"[A-Z][\w'’&-]*"
# Aliases: the run an acronym's long form is sought in, any number of small words between its
# capitalised words: "HM Revenue and Customs on Monday".
ALIAS_RUN = (
    rf"{CAPITALISED_WORD}(?:[ \t]+(?:(?:of|and|the|for|in|on|at|to|&)[ \t]+)*{CAPITALISED_WORD})*"
)
# Referents: a titled word keeps its dot ("Mr."), and a run takes one small word at a time.
TITLED_WORD = rf"(?:(?:Mr|Mrs|Ms|Dr|Prof|Rev)\.|{CAPITALISED_WORD})"
REFERENT_RUN = rf"{TITLED_WORD}(?:[ \t]+(?:(?:of|and|for|the|&)[ \t]+)?{TITLED_WORD})*"
# Short answers: single spaces only, with the particles of names ("Ludwig van Beethoven").
ANSWER_CAPITALISED_WORD = r"[A-Z][\w'.-]*"
ANSWER_NAME = (
    rf"{ANSWER_CAPITALISED_WORD}"
    rf"(?: (?:(?:of|and|de|van|von|du|la|the) )?{ANSWER_CAPITALISED_WORD})*"
)


def normalise(text: str) -> str:
    """Lowercase, with every run of white space one space: how a phrase is compared."""
    return " ".join(text.lower().split())


@functools.lru_cache(maxsize=1 << 18)  # a corpus repeats a small vocabulary endlessly
def stem(word: str) -> str:
    """A light suffix stripper: nurses/nurse, striking/strike, unions/union, agreed/agree."""
    w = word.lower()
    if not w.isascii():
        # Fold accents so that "fiancée" meets "fiancee" and "Zürich" meets "Zurich".
        w = "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes")):
        return w[:-2]
    if w.endswith("ing") and len(w) > 5:
        return w[:-3]
    if w.endswith("ed") and len(w) > 4:
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    # Drop a final e so that strike/striking and agree/agreed meet at "strik" and "agre".
    if w.endswith("e") and len(w) > 4:  # not "paye" -> "pay"
        w = w[:-1]
    return w


__all__ = [
    "ALIAS_RUN",
    "ANSWERING_WORD",
    "ANSWER_CAPITALISED_WORD",
    "ANSWER_NAME",
    "BM25_STOPWORDS",
    "BM25_WORD",
    "CALENDAR_UNITS",
    "CAPITALISED_WORD",
    "FUNCTION_WORDS",
    "MONTHS",
    "MONTH_ABBREVIATIONS",
    "MONTH_NUMBERS",
    "REFERENT_RUN",
    "TIME_UNITS",
    "TITLED_WORD",
    "WEEKDAYS",
    "normalise",
    "stem",
    "units_pattern",
]
