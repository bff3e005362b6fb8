"""A demo PiPoT case: a care worker at a demo care home, alleged to have
handled an adult roughly, opened from one of the practitioner's enquiries,
with the employer told and a DBS referral made. Called by ``seed_demo``."""

from __future__ import annotations

import datetime

from enquiries.models import Enquiry, Organisation, PipotCase
from enquiries.services import pipot as services


def create_demo_pipot(*, staff: dict, out) -> None:
    practitioner = staff["practitioner"]
    enquiry = (
        Enquiry.objects.filter(team__in=practitioner.teams.all(), status="in_progress")
        .select_related("concern")
        .order_by("pk")
        .first()
    )
    if enquiry is None or PipotCase.objects.exists():
        return
    home, _ = Organisation.objects.get_or_create(
        name="Larchfield House (demo care home)",
        defaults={"kind": Organisation.Kind.CARE_HOME, "postcode": "NE1 4XX"},
    )
    today = datetime.date.today()
    opened = max(enquiry.concern.received_on, today - datetime.timedelta(days=5))
    case = services.open_case(
        user=practitioner,
        enquiry=enquiry,
        data={
            "subject_name": "Robin Ashdown",
            "subject_role": "Night care assistant",
            "subject_kind": PipotCase.SubjectKind.PAID,
            "employer": home,
            "allegation": "A colleague saw rough handling during a night-time "
            "change of position; the adult has a bruise on the upper arm.",
            "opened_on": opened,
            "employer_notified_on": opened,
            "employer_actions": "Suspended on full pay pending the home's own "
            "investigation; moved off night shifts.",
        },
    )
    services.add_referral(
        user=practitioner,
        case=case,
        data={"kind": "dbs", "referred_on": opened},
    )
    services.name_worker(user=practitioner, case=case, worker=staff["lead"])
    out.write("Demo PiPoT case: a night care assistant at Larchfield House")
