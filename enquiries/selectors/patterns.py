"""Reading pattern flags for a user: only flags with a concern they may see,
and each flag's explanation limited to what they may see.

A page shows any number of flags in a fixed number of queries: the flags
(one), their records with the concerns (one), which of those concerns the
user may see (one), which subjects' own records they may see (one), and,
when a flag is about a PiPoT case, which of those cases they may see (one).

A PiPoT case is seen only under its own rule (leads and the workers named on
it): to anyone else a flag about one names no one, and the case is counted
with the records they cannot see.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from enquiries.models import Concern, Person
from enquiries.models.patterns import PatternFlag, PatternFlagRecord
from enquiries.selectors.pipot import pipot_cases
from msp import audit
from msp.access import visible


def flags_for(
    user,
    *,
    received: tuple[datetime.date, datetime.date] | None = None,
    team_id: int | None = None,
) -> QuerySet[PatternFlag]:
    """Flags at least one of whose concerns ``user`` may see; with
    ``received`` (first and last day) or ``team_id``, one of whose concerns
    ``user`` may see was received in that period, or is that team's."""
    related = ("person", "organisation", "pipot_case", "acknowledged_by")
    if received is not None:
        # The period's flags from their records of the period, each seen as
        # its concern is by what it repeats of it (date received, team,
        # adult): at 1M concerns, the year's 10,000 records rather than its
        # 100,000 concerns, and no concern read.
        records = visible(
            user, PatternFlagRecord.objects.filter(received_on__range=received)
        )
        if team_id is not None:
            records = records.filter(team_id=team_id)
        return PatternFlag.objects.filter(
            pk__in=records.values("flag_id")
        ).select_related(*related)
    concerns = Concern.objects.filter(pattern_records__flag=OuterRef("pk"))
    if team_id is not None:
        concerns = concerns.filter(team_id=team_id)
    seen = visible(user, concerns)
    return PatternFlag.objects.filter(Exists(seen)).select_related(*related)


def flags_about_person(user, person: Person) -> QuerySet[PatternFlag]:
    """Flags one of whose concerns is about ``person``: found from the
    person's concerns (a few index lookups), whatever the number of flags."""
    return _flags_among(user, PatternFlagRecord.objects.filter(concern__person=person))


def flags_about_concern(user, concern: Concern) -> QuerySet[PatternFlag]:
    return _flags_among(user, PatternFlagRecord.objects.filter(concern=concern))


def _flags_among(user, records: QuerySet[PatternFlagRecord]) -> QuerySet[PatternFlag]:
    """The flags of these records, found first as ids (one index lookup;
    none: no further query). Written as one query with the records as a
    sub-query, PostgreSQL can misjudge how many flags a concern has while
    the flag table's statistics are older than its rows (after a bulk
    check) and join every flag to every person first: 80 ms instead of
    0.1 ms at 1M concerns (benchmarks/README.md, issue 19)."""
    ids = list(records.values_list("flag_id", flat=True).distinct())
    return flags_for(user).filter(pk__in=ids)


def get_flag_or_404(user, flag_id: int) -> PatternFlag:
    flag = flags_for(user).filter(pk=flag_id).first()
    if flag is None:
        raise Http404("No such pattern")
    return flag


def explain(user, flags: list[PatternFlag]) -> list[PatternFlag]:
    """Give each flag ``shown`` (the concerns that made it which ``user`` may
    see, oldest first, each with ``led_to_enquiry``), ``hidden_count`` (the
    ones they may not, and a PiPoT case they may not see) and
    ``subject_visible`` (whether they may open the subject's own person
    record, or the PiPoT case it is about)."""
    if not flags:
        return flags
    records = list(
        PatternFlagRecord.objects.filter(flag__in=flags)
        .select_related("concern__person")
        .order_by("concern__received_on", "concern_id")
    )
    ids = {record.concern_id for record in records}
    seen = set(
        visible(user, Concern.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    person_ids = {flag.person_id for flag in flags if flag.person_id}
    people_seen = (
        set(
            visible(user, Person.objects.filter(pk__in=person_ids)).values_list(
                "pk", flat=True
            )
        )
        if person_ids
        else set()
    )
    case_ids = {flag.pipot_case_id for flag in flags if flag.pipot_case_id}
    cases_seen = (
        set(pipot_cases(user).filter(pk__in=case_ids).values_list("pk", flat=True))
        if case_ids
        else set()
    )
    by_flag: dict[int, list[PatternFlagRecord]] = {}
    for record in records:
        by_flag.setdefault(record.flag_id, []).append(record)
    for flag in flags:
        mine = by_flag.get(flag.pk, [])
        flag.shown = [r.concern for r in mine if r.concern_id in seen]
        for concern in flag.shown:
            concern.led_to_enquiry = concern.decision in (
                Concern.Decision.SECTION_42,
                Concern.Decision.OTHER_ENQUIRY,
            )
        flag.hidden_count = len(mine) - len(flag.shown)
        if flag.pipot_case_id:
            flag.subject_visible = flag.pipot_case_id in cases_seen
            flag.hidden_count += not flag.subject_visible
            if flag.subject_visible:
                # Every page that names a PiPoT case is audited (0026).
                audit.note_read(
                    flag.pipot_case, summary="PiPoT case named in a pattern"
                )
        else:
            flag.subject_visible = flag.person_id in people_seen
    return flags
