"""Finding people: the name search, scoped to the people a user may see."""

from __future__ import annotations

import datetime
import uuid

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat, Upper

from enquiries.models import Person
from msp.access import visible

# A name search shows at most SEARCH_LIMIT people; it checks access on at most
# SEARCH_CANDIDATES name matches, SEARCH_CHUNK at a time; past that the page
# asks for a narrower search.
SEARCH_LIMIT = 50
SEARCH_CANDIDATES = 2000
SEARCH_CHUNK = 200


def matching_people(
    *,
    name: str,
    date_of_birth: datetime.date | None = None,
    nhs_number: str = "",
    reference: uuid.UUID | None = None,
) -> QuerySet[Person]:
    """Unarchived people matching every word of ``name`` (given, family or
    preferred name) and the other details given. Not access-scoped: pass it
    to :func:`first_visible` (or ``restricted_matches``)."""
    people = Person.objects.filter(is_archived=False)
    for term in name.split():
        people = people.filter(
            Q(given_name__icontains=term)
            | Q(family_name__icontains=term)
            | Q(preferred_name__icontains=term)
        )
    if date_of_birth:
        people = people.filter(date_of_birth=date_of_birth)
    if nhs_number:
        people = people.filter(nhs_number=nhs_number.replace(" ", ""))
    if reference:
        people = people.filter(reference=reference)
    return people


def first_visible(user, people: QuerySet[Person]) -> tuple[list[Person], bool]:
    """The first ``SEARCH_LIMIT`` people the user may see among ``people``,
    by name, and whether there may be more.

    The name match runs alone first (the trigram index on PostgreSQL) and
    gives candidate ids in name order; the access rules are then checked on
    those ids a chunk at a time. Checking them on the whole match at once
    makes PostgreSQL test every match (thousands for a common surname)
    instead of the few it needs. The first look takes one chunk of
    candidates, which is usually enough for a page of results and keeps the
    database's sort small; only if too few of them are visible does a second
    look take the rest, up to ``SEARCH_CANDIDATES``, after the last one seen
    (keyset). Ordering by the upper-cased name keeps the database from
    walking the whole name index to find the matches in order.
    """
    ordered = people.annotate(
        family_key=Upper("family_name"), given_key=Upper("given_name")
    ).order_by("family_key", "given_key", "id")
    results: list[Person] = []
    seen = 0
    wanted = min(SEARCH_CHUNK, SEARCH_CANDIDATES)
    last = None
    while True:
        batch = ordered
        if last is not None:
            family, given, pk = last
            batch = batch.filter(
                Q(family_key__gt=family)
                | Q(family_key=family, given_key__gt=given)
                | Q(family_key=family, given_key=given, id__gt=pk)
            )
        rows = list(batch.values_list("family_key", "given_key", "pk")[: wanted + 1])
        more = len(rows) > wanted
        rows = rows[:wanted]
        seen += len(rows)
        for start in range(0, len(rows), SEARCH_CHUNK):
            chunk = [pk for _family, _given, pk in rows[start : start + SEARCH_CHUNK]]
            found = {
                person.pk: person
                for person in visible(
                    user, Person.objects.filter(pk__in=chunk)
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
