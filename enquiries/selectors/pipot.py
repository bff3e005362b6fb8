"""Reading PiPoT cases: the one access rule, used by every page that shows one.

A PiPoT case is seen by safeguarding leads (who may see every team's cases)
and by the workers named on it, never by everyone who can see the adult
(decision 0026). Every case a page is given is audited (one "viewed" line,
written by the case-read middleware), and a refused lookup of an existing
case is recorded too.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from enquiries.models import Concern, PipotCase, PipotConcern, PipotReferral
from msp import access, audit
from msp.paging import PAGE_SIZE, Page, keyset_page


def is_pipot_lead(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and access.can_see_all_teams(user)
    )


def pipot_cases(user) -> QuerySet[PipotCase]:
    """The PiPoT cases ``user`` may see."""
    queryset = PipotCase.objects.all()
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if is_pipot_lead(user):
        return queryset
    if not access.can_work_on_cases(user):
        return queryset.none()
    named = PipotCase.named_workers.through.objects.filter(
        pipotcase_id=OuterRef("pk"), user_id=user.pk
    )
    return queryset.filter(Exists(named))


def get_pipot_case_or_404(user, reference) -> PipotCase:
    """One case the user may see, with what its page shows, or 404."""
    try:
        case = (
            pipot_cases(user)
            .select_related(
                "employer", "concern__person", "enquiry", "closed_by", "created_by"
            )
            .get(reference=reference)
        )
    except PipotCase.DoesNotExist as exc:
        audit.note_refused(PipotCase, {"reference": reference})
        raise Http404("No such record") from exc
    except (ValueError, ValidationError) as exc:
        raise Http404("No such record") from exc
    audit.note_read(case, summary="Viewed a PiPoT case")
    return case


def referrals(case: PipotCase) -> list[PipotReferral]:
    return list(
        case.referrals.select_related("organisation").order_by("referred_on", "pk")
    )


def named_workers(case: PipotCase) -> list:
    return list(case.named_workers.order_by("last_name", "first_name", "pk"))


def open_cases_page(user, *, after: str | None, size: int = PAGE_SIZE) -> Page:
    """The open PiPoT cases the user may see, oldest first, keyset paged.
    Every case listed is audited as listed."""
    queryset = (
        pipot_cases(user)
        .filter(status=PipotCase.Status.OPEN)
        .select_related("employer")
    )
    page = keyset_page(queryset, after=after, key="opened_on", size=size)
    for case in page.rows:
        audit.note_read(case, summary="Listed a PiPoT case (open PiPoT cases)")
    return page


def cases_for_concern(user, concern) -> list[PipotCase]:
    """The PiPoT cases arising from this concern that the user may see (for
    the links from the concern and enquiry pages; others are not mentioned)."""
    return list(
        pipot_cases(user)
        .filter(concern_id=concern.pk)
        .select_related("employer")
        .order_by("opened_on", "pk")
    )


def linked_concerns(user, case: PipotCase) -> tuple[list, int]:
    """The other concerns linked to the case as naming the same worker: the
    ones ``user`` may see (with their adult), and how many they may not."""
    links = PipotConcern.objects.filter(case=case, is_withdrawn=False)
    ids = list(links.values_list("concern_id", flat=True))
    if not ids:
        return [], 0
    shown = list(
        access.visible(user, Concern.objects.filter(pk__in=ids))
        .select_related("person")
        .order_by("received_on", "pk")
    )
    return shown, len(ids) - len(shown)
