"""Demo letters: the plan for the adult (plain and easy read), an outcome
letter and feedback to a referrer, produced from the demo caseload the way a
practitioner would (through the letters service, so each has its PDF as a
document of the case). A ``seed_demo`` step, after the caseload."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef

from enquiries.letter_text import LetterKind
from enquiries.models import Enquiry, PlanAction
from enquiries.models.letters import LetterTemplate
from enquiries.selectors.letters import why_not
from enquiries.services import letters


def create_demo_letters(*, staff: dict, out) -> None:
    letters.install_default_templates()
    worker = staff["practitioner"]
    team = staff["teams"][0]
    with_plan = (
        Enquiry.objects.filter(team=team)
        .filter(Exists(PlanAction.objects.filter(enquiry=OuterRef("pk"))))
        .select_related("concern__person", "team")
        .order_by("id")
    )
    wanted = [
        (with_plan.filter(status="plan_active"), LetterKind.PLAN_EASY_READ, "by_hand"),
        (with_plan.filter(status="plan_active"), LetterKind.PLAN, "post"),
        (with_plan.filter(status="closed"), LetterKind.OUTCOME, "post"),
        (
            with_plan.filter(status="closed", concern__referrer_anonymous=False)
            .exclude(concern__referrer_name="")
            .exclude(concern__referrer_type="self")
            .exclude(concern__referrer_feedback=""),
            LetterKind.REFERRER,
            "email",
        ),
    ]
    templates = {t.kind: t for t in LetterTemplate.objects.all()}
    sent = 0
    for enquiries, kind, via in wanted:
        enquiry = next((e for e in enquiries if not why_not(e, kind, templates)), None)
        if enquiry is None:
            continue
        sent_on = max(
            enquiry.started_on, datetime.date.today() - datetime.timedelta(days=3)
        )
        letters.send_letter(
            user=worker, enquiry=enquiry, kind=kind, sent_via=via, sent_on=sent_on
        )
        sent += 1
    out.write(f"Letters: {sent} sent (plans, an outcome letter, referrer feedback).")
