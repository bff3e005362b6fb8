"""Was the adult asked what they wanted to happen? (MSP, SAC SG4a part 1)

Derived from the records, never typed twice: the practitioner records
whether the adult (or their representative) was asked
(``Enquiry.asked_desired_outcomes``) and records each outcome they
expressed (``DesiredOutcome``). "Asked and outcomes expressed" and "asked
but none expressed" follow from whether any outcome that was not withdrawn
exists for the enquiry or the concern it came from.

:func:`msp_asked_category` answers for one enquiry;
:func:`annotate_msp_asked` gives the same answer as a database expression so
reports count it with one aggregate query.
"""

from __future__ import annotations

from django.db.models import Case as CaseWhen
from django.db.models import (
    CharField,
    Q,
    QuerySet,
    Value,
    When,
)

from enquiries import codes, models
from enquiries.models import (
    Enquiry,
    expressed_desired_outcomes,
    outcomes_counted_for,
)
from outcomes import sac_spec

EXPRESSED = "expressed"
NOT_EXPRESSED = "not_expressed"
NOT_ASKED = "no"
DONT_KNOW = "dont_know"
NOT_RECORDED = "not_recorded"

CATEGORIES: tuple[str, ...] = (
    EXPRESSED,
    NOT_EXPRESSED,
    NOT_ASKED,
    DONT_KNOW,
    NOT_RECORDED,
)
LABELS: dict[str, str] = dict(zip(CATEGORIES, sac_spec.MSP_ASKED, strict=True))

ANNOTATION = "msp_asked"

# Who counts as "the individual or their representative" (SG4a part 1): an
# outcome recorded in their words means they were asked and expressed it.
ASKED_SOURCES = models.ASKED_SOURCES


def derived_asked() -> Q:
    """Enquiries whose SG4a part 1 follows from the record without an answer
    typed: none typed, and an outcome (not withdrawn) recorded from the adult
    or their representative at the enquiry or its concern ("asked and
    outcomes expressed"). That second part is the stored, derived flag
    ``Enquiry.outcomes_from_adult_recorded`` (kept by
    ``enquiries.models.refresh_outcome_flags``): a column read instead of
    two sub-queries per enquiry in every report."""
    return Q(asked_desired_outcomes="", outcomes_from_adult_recorded=True)


def is_derived(enquiry: Enquiry) -> bool:
    """Whether :func:`msp_asked_category` is derived rather than typed."""
    return models.asked_outcomes_shown(enquiry)[1]


def outcomes_expressed(enquiry: Enquiry) -> bool:
    return expressed_desired_outcomes().filter(outcomes_counted_for(enquiry)).exists()


def msp_asked_category(enquiry: Enquiry, *, expressed: bool | None = None) -> str:
    """One of :data:`CATEGORIES` for an enquiry.

    ``expressed`` may be passed when already known (for example from
    :func:`annotate_msp_asked`), to save a query.
    """
    answer = enquiry.asked_desired_outcomes
    if not answer:
        return EXPRESSED if is_derived(enquiry) else NOT_RECORDED
    if answer == codes.YesNoDontKnow.NO:
        return NOT_ASKED
    if answer == codes.YesNoDontKnow.DONT_KNOW:
        return DONT_KNOW
    if expressed is None:
        expressed = outcomes_expressed(enquiry)
    return EXPRESSED if expressed else NOT_EXPRESSED


def msp_asked_label(enquiry: Enquiry) -> str:
    """The SAC SG4a wording for :func:`msp_asked_category`."""
    return LABELS[msp_asked_category(enquiry)]


def msp_asked_expression() -> CaseWhen:
    yes = codes.YesNoDontKnow.YES
    return CaseWhen(
        When(
            # The stored, derived flag (Enquiry.outcomes_expressed): a column
            # read instead of a sub-query per enquiry.
            Q(asked_desired_outcomes=yes, outcomes_expressed=True),
            then=Value(EXPRESSED),
        ),
        When(asked_desired_outcomes=yes, then=Value(NOT_EXPRESSED)),
        When(derived_asked(), then=Value(EXPRESSED)),
        When(asked_desired_outcomes=codes.YesNoDontKnow.NO, then=Value(NOT_ASKED)),
        When(
            asked_desired_outcomes=codes.YesNoDontKnow.DONT_KNOW, then=Value(DONT_KNOW)
        ),
        default=Value(NOT_RECORDED),
        output_field=CharField(),
    )


def annotate_msp_asked(queryset: QuerySet[Enquiry]) -> QuerySet[Enquiry]:
    """Add ``msp_asked`` (one of :data:`CATEGORIES`) to each enquiry."""
    return queryset.annotate(**{ANNOTATION: msp_asked_expression()})
