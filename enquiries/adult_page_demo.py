"""A demo adult with their own page (issue 20), called by ``seed_demo``.

Dora Pike's enquiry has a safeguarding plan; the page is offered to her
(codes by text message: the console backend prints them where ``make run``
runs) and a printed-letter invitation is made. The link and her date of
birth are printed, so the adult's side can be tried at once.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from enquiries import codes
from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory
from enquiries.models import AdultPageAccess, PlanAction
from enquiries.services import adult_page as services

DEMO_BIRTH = datetime.date(1948, 3, 14)
DEMO_SITE = "http://127.0.0.1:8000"


def create_demo_adult_page(*, staff: dict, out) -> None:
    worker = staff["practitioner"]
    team = staff["teams"][0]
    today = timezone.localdate()
    with transaction.atomic():
        enquiry = EnquiryFactory(
            concern__person__team=team,
            concern__person__given_name="Dora",
            concern__person__family_name="Pike",
            concern__person__date_of_birth=DEMO_BIRTH,
            concern__team=team,
            concern__received_on=today - datetime.timedelta(days=40),
            concern__decided_on=today - datetime.timedelta(days=38),
            team=team,
            allocated_to=worker,
            status="plan_active",
            started_on=today - datetime.timedelta(days=38),
        )
        person = enquiry.concern.person
        safe = DesiredOutcomeFactory(
            person=person,
            enquiry=enquiry,
            stage=codes.Stage.PLANNING,
            text="I want to feel safe when my grandson visits",
        )
        money = DesiredOutcomeFactory(
            person=person,
            enquiry=enquiry,
            stage=codes.Stage.PLANNING,
            text="I want to look after my own pension again",
        )
        for description, owner, days, outcome in (
            ("Fit a door chain and a spy hole", "Housing repairs team", 7, safe),
            ("Move your pension to an account only you use", "Your worker", 21, money),
            ("Visit you at home to see how things are", "Your worker", 28, safe),
        ):
            action = PlanAction.objects.create(
                enquiry=enquiry,
                description=description,
                owner=owner,
                due_on=today + datetime.timedelta(days=days),
                created_by=worker,
            )
            action.desired_outcomes.add(outcome)
        offer = services.offer_page(
            user=worker,
            enquiry=enquiry,
            data={
                "harm_source_cannot_see_contact": True,
                "adult_said_yes": True,
                "safety_notes": "Spoke to Dora alone at the day centre. Her mobile "
                "is her own and stays with her; her grandson does not live with her.",
                "recipient": AdultPageAccess.Recipient.ADULT,
                "authority": AdultPageAccess.Authority.ADULT_AGREED,
                "code_by": AdultPageAccess.CodeBy.SMS,
                "mobile": "07700900461",
                "contact_confirmed": True,
                "withhold_sharing": False,
            },
        )
    print_demo_invitation(staff=staff, out=out, offer=offer)


def print_demo_invitation(*, staff: dict | None, out, offer=None) -> None:
    """A fresh single-use invitation for the demo adult, printed (also when
    ``seed_demo`` runs again on an existing demo: the last link may be used)."""
    if staff is None:
        from django.contrib.auth import get_user_model

        worker = get_user_model().objects.filter(username="practitioner").first()
        if worker is None:
            return
        staff = {"practitioner": worker}
    if offer is None:
        offer = AdultPageAccess.objects.filter(
            person__date_of_birth=DEMO_BIRTH,
            person__family_name="Pike",
            status=AdultPageAccess.Status.OFFERED,
        ).first()
        if offer is None:
            return
    with transaction.atomic():
        issued = services.invite(
            user=staff["practitioner"], offer=offer, sent_by="letter"
        )
    link = issued.link if "://" in issued.link else f"{DEMO_SITE}{issued.link}"
    out.write(
        "The adult's own page: Dora Pike (born "
        f"{DEMO_BIRTH:%-d %B %Y}). Open her invitation link:\n  {link}\n"
        "  then 'Send me a code': the code appears in this console "
        "(text message backend).\n"
    )
