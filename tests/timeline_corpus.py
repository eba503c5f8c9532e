"""Articles for the timeline tests: reports on one topic over three years from several outlets,
two outlets carrying the same report a day apart, the same words repeated two years later, an
undated report, one dated after any question's now, and one on another topic."""

from __future__ import annotations

FERRY = [
    {
        "id": "ferry-refit",
        "title": "Lundy ferry back after refit",
        "source": "North Devon Gazette",
        "date": "2021-03-10",
        "text": "The MS Oldenburg, the ferry to Lundy Island, will return to service on "
        "1 April after its winter refit, the island's operator said. Engineers replaced both "
        "engines and repainted the hull. Bookings open next week.",
    },
    {
        "id": "ferry-crack-bbc",
        "title": "Lundy ferry cancelled over hull crack",
        "source": "BBC News",
        "date": "2 June 2022",
        "text": "Sailings of the Lundy ferry were cancelled for a week after a crack was found "
        "in its hull, the operator announced. Passengers with tickets will get refunds. The "
        "island's shop will be restocked by helicopter.",
    },
    {
        "id": "ferry-crack-devonlive",
        "title": "Crack in hull halts Lundy sailings",
        "source": "Devon Live",
        "date": "2022-06-03",
        "text": "Sailings of the Lundy ferry were cancelled for a week after a crack was found "
        "in its hull, the operator announced on Thursday. Day trippers have been told to check "
        "before travelling to Bideford quay.",
    },
    {
        "id": "ferry-crack-anniversary",
        "title": "Two years since the Lundy hull crack",
        "source": "Island News",
        "date": "2024-06-02",
        "text": "Sailings of the Lundy ferry were cancelled for a week after a crack was found "
        "in its hull, the operator announced. Two years on, the island's trust looks back at "
        "the summer the boat stood still.",
    },
    {
        "id": "ferry-new-ship",
        "title": "New ship for Lundy",
        "source": "Western Morning News",
        "date": "Sept. 15, 2023",
        "text": "A new ferry for Lundy Island will be built at a yard in Falmouth, the "
        "Landmark Trust said. It will carry more passengers than the MS Oldenburg. The yard "
        "expects to launch it in three years.",
    },
    {
        "id": "ferry-record",
        "text": "The Lundy ferry carried a record 20,000 passengers this summer, its crew said. "
        "Puffin watchers made up most of the numbers.",
    },
    {
        "id": "ferry-2099",
        "title": "Lundy ferry to fly",
        "source": "Future Times",
        "date": "2099-05-01",
        "text": "The Lundy ferry will be replaced by a flying boat, the operator said. Tests "
        "start in the spring.",
    },
    {
        "id": "bakery",
        "title": "Sourdough prize for Fore Street bakery",
        "source": "BBC News",
        "date": "2022-07-01",
        "text": "The bakery on Fore Street has won a national prize for its sourdough loaves. "
        "Its owner, Amira Haddad, said the queue now starts at seven.",
    },
]
