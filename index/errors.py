"""Errors whose message is written for the person at the keyboard, not for a traceback."""


class FootnoteError(Exception):
    """Base of every error Footnote reports to a user as a plain message."""


class IndexMissingError(FootnoteError):
    """No index at the given directory."""


class IndexCorruptError(FootnoteError):
    """An index file is missing, truncated or does not match the manifest."""


class ModelMismatchError(FootnoteError):
    """The index was built with a different embedding model than the one configured."""


class ModelLoadError(FootnoteError):
    """The embedding model could not be loaded."""


class NoArticlesError(FootnoteError):
    """A build found nothing to index: a corpus path that does not exist, or no articles in it.
    An index of nothing would refuse every question, so nothing is written instead."""
