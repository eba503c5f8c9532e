"""Dates as news writes them: ISO 8601 and the written forms, and what is not a full date."""

from __future__ import annotations

import datetime as dt

import pytest

from index.dates import iso_date, parse_date

JAN_5 = dt.date(2023, 1, 5)


@pytest.mark.parametrize(
    "text",
    [
        "2023-01-05",
        "2023-01-05T09:30:00Z",
        "2023-01-05T09:30:00+01:00",
        "2023/01/05",
        "5 January 2023",
        "Jan. 5, 2023",
        "January 5th, 2023",
        "Thursday, 5 January 2023",
        "Thu, 05 Jan 2023 10:00:00 GMT",
        "05/01/2023",  # day first, as British news writes it
    ],
)
def test_the_common_forms_are_read(text):
    assert parse_date(text) == JAN_5
    assert iso_date(text) == "2023-01-05"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2023",
        "January 2023",
        "5 January",
        "31 February 2023",
        "2023-13-05",
        "yesterday",
        "The strike on 5 January 2023 was large",
        "05 01 2023 and then some words after it all",
    ],
)
def test_what_is_not_one_full_date_is_none(text):
    assert parse_date(text) is None
