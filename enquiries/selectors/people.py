"""Finding people: the name search, scoped to the people a user may see."""

from __future__ import annotations

import datetime
import heapq
import uuid

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat, Upper

from enquiries.models import Person, PersonNameWord
from enquiries.models.people import WORD_LENGTH
from msp.access import visible

# A name search shows at most SEARCH_LIMIT people; it checks access on at most
# SEARCH_CANDIDATES name matches, SEARCH_CHUNK at a time; past that the page
# asks for a narrower search.
SEARCH_LIMIT = 50
SEARCH_CANDIDATES = 2000
SEARCH_CHUNK = 200


def name_terms(name: str) -> list[str]:
    """The words typed in a name search, upper-cased as the words are kept."""
    return [term[:WORD_LENGTH] for term in name.upper().split()]


def matching_people(
    *,
    name: str,
    date_of_birth: datetime.date | None = None,
    nhs_number: str = "",
    reference: uuid.UUID | None = None,
) -> QuerySet[Person]:
    """Unarchived people with a name word starting with each word of
    ``name`` (their first, family or preferred name, or a part of a
    hyphenated one: "smi" finds Smith and Anna Goldsmith-Smith, not
    Goldsmith) and the other details given. Not access-scoped: pass it to
    :func:`first_visible` (or ``restricted_matches``)."""
    people = Person.objects.filter(is_archived=False)
    for term in name_terms(name):
        people = people.filter(
            Exists(
                PersonNameWord.objects.filter(
                    person=OuterRef("pk"), word__startswith=term
                )
            )
        )
    if date_of_birth:
        people = people.filter(date_of_birth=date_of_birth)
    if nhs_number:
        people = people.filter(nhs_number=nhs_number.replace(" ", ""))
    if reference:
        people = people.filter(reference=reference)
    return people


Row = tuple[str, str, int]  # (family name key, given name key, person id)


def _after(rows: QuerySet, after: Row | None, family: str, given: str, key: str):
    if after is None:
        return rows
    f, g, pk = after
    return rows.filter(
        Q(**{f"{family}__gt": f})
        | Q(**{family: f, f"{given}__gt": g})
        | Q(**{family: f, given: g, f"{key}__gt": pk})
    )


def _by_name(terms: list[str], after: Row | None, limit: int) -> list[Row]:
    """Up to ``limit`` people, after ``after`` in name order, with a name word
    starting with every term, read from the name words' index alone.

    Two reads, merged here: the people with a word equal to the first term
    (the index gives them in name order, so only the entries returned are
    read: a surname shared by thousands costs the same as a rare one), and
    those with a longer word starting with it (sorted by the database;
    few when a whole name is typed). Keys compare byte by byte in both
    databases, as Python compares them, so the merge keeps the order.
    """
    first, *others = terms
    words = PersonNameWord.objects.all()
    for term in others:
        words = words.filter(
            Exists(
                PersonNameWord.objects.filter(
                    person_id=OuterRef("person_id"), word__startswith=term
                )
            )
        )
    fields = ("family_key", "given_key", "person_id")
    found: list[Row] = []
    while True:
        page = _after(words, after, *fields).order_by(*fields)
        exact = list(page.filter(word=first).values_list(*fields)[:limit])
        longer = list(
            page.filter(word__gt=first, word__startswith=first).values_list(*fields)[
                :limit
            ]
        )
        # Past the last row of a read that was cut short, the other read's
        # rows may not be all there is: stop there and read on from it.
        ends = [part[-1] for part in (exact, longer) if len(part) == limit]
        bound = min(ends) if ends else None
        for row in heapq.merge(exact, longer):
            if bound is not None and row > bound:
                break
            if not found or found[-1] != row:  # two words of one person
                found.append(row)
        if bound is None or len(found) >= limit:
            return found[:limit]
        after = bound


def first_visible(
    user, people: QuerySet[Person], *, name_alone: str = ""
) -> tuple[list[Person], bool]:
    """The first ``SEARCH_LIMIT`` people the user may see among ``people``,
    by name, and whether there may be more.

    Candidates are read in name order a chunk at a time and the access
    rules checked on each chunk's ids: checking them on the whole match at
    once makes the database test every match (thousands for a common
    surname) instead of the few it needs. The first look takes one chunk,
    usually enough for a page; only if too few are visible does a second
    look take the rest, up to ``SEARCH_CANDIDATES``, after the last one seen
    (keyset). When the search is by a name alone (``name_alone``: then
    ``people`` is ``matching_people(name=name_alone)``), the candidates come
    from the name words (:func:`_by_name`), so no person's row is read until
    its chunk is checked; with a date of birth, NHS number or reference,
    those narrow ``people`` first.
    """
    terms = name_terms(name_alone)
    checked = people
    if terms:
        # The words already matched: testing them again on each chunk would
        # read every matching word (a hash of all 8,873 "Smith"s at 1M).
        checked = Person.objects.filter(is_archived=False)

        def candidates(after: Row | None, limit: int) -> list[Row]:
            return _by_name(terms, after, limit)

    else:
        ordered = people.annotate(
            family=Upper("family_name"), given=Upper("given_name"), key=F("pk")
        ).order_by("family", "given", "key")

        def candidates(after: Row | None, limit: int) -> list[Row]:
            rows = _after(ordered, after, "family", "given", "key")
            return list(rows.values_list("family", "given", "key")[:limit])

    results: list[Person] = []
    seen = 0
    checked_any = False
    wanted = min(SEARCH_CHUNK, SEARCH_CANDIDATES)
    last = None
    while True:
        rows = candidates(last, wanted + 1)
        more = len(rows) > wanted
        rows = rows[:wanted]
        seen += len(rows)
        start = 0
        while start < len(rows):
            # The first check takes just enough for a full page when the user
            # may see everyone (a lead); the next ones a whole chunk.
            size = SEARCH_LIMIT + 1 if not checked_any else SEARCH_CHUNK
            checked_any = True
            chunk = [pk for _family, _given, pk in rows[start : start + size]]
            start += size
            found = {
                person.pk: person
                for person in visible(
                    user, checked.filter(pk__in=chunk)
                ).select_related("team")
            }
            results.extend(found[pk] for pk in chunk if pk in found)
            if len(results) > SEARCH_LIMIT:
                return results[:SEARCH_LIMIT], True
        if not more or seen >= SEARCH_CANDIDATES:
            return results, more
        last = rows[-1]
        wanted = SEARCH_CANDIDATES - seen


def find_likely_duplicates(
    *, given_name: str, family_name: str, date_of_birth: datetime.date | None
) -> QuerySet[Person]:
    """People with the same date of birth and a similar name (not access-scoped)."""
    if date_of_birth is None:
        return Person.objects.none()
    people = Person.objects.filter(date_of_birth=date_of_birth, is_archived=False)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        wanted = f"{given_name} {family_name}".strip()
        return people.annotate(
            family_similarity=TrigramSimilarity("family_name", family_name),
            name_similarity=TrigramSimilarity(
                Concat("given_name", Value(" "), "family_name"), wanted
            ),
        ).filter(
            Q(family_similarity__gt=0.3)
            | Q(name_similarity__gt=0.3)
            | Q(given_name__iexact=given_name)
        )
    # SQLite: a simpler match on the start of the family name or the first name.
    return people.filter(
        Q(family_name__iexact=family_name)
        | Q(family_name__istartswith=family_name[:3])
        | Q(given_name__iexact=given_name)
    )
