"""Demo personal budgets and direct payments for ``seed_demo``.

Made-up people only. Covers what a demo user should see: statutory and local
conditions (one not agreed, one breached), a close family member paid under a
regulation 3 exception, reviews due and overdue, and a payment suspended
pending investigation of a concern about a personal assistant.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from budgets import schedule, services
from budgets.models import LocalConditionType, PersonalBudget
from enquiries.factories import ConcernFactory, PersonFactory
from enquiries.models import Person

PEOPLE = 8


def _people(team) -> list[Person]:
    people = list(Person.objects.filter(team=team).order_by("id")[:PEOPLE])
    while len(people) < PEOPLE:
        people.append(PersonFactory(team=team))
    return people


def _budget(user, person, *, management="direct_payment", total="18200.00"):
    return services.create_budget(
        user=user,
        person=person,
        data={
            "care_plan_reference": f"CSP-{person.pk:05d}",
            "effective_from": datetime.date.today() - datetime.timedelta(days=400),
            "total_cost": Decimal(total),
            "adult_contribution": Decimal("1820.00"),
            "management": management,
        },
    )


def _payment(user, budget, *, first_payment_on, wants, **extra):
    data = {
        "legal_basis": "s31_adult",
        "payment_method": "card",
        "amount": Decimal("315.00"),
        "frequency": "weekly",
        "start_date": first_payment_on,
        "first_payment_on": first_payment_on,
        "person_wants": wants,
        **extra,
    }
    return services.create_direct_payment(user=user, budget=budget, data=data)


def _condition(user, payment, code, **extra):
    data = {
        "local_type": LocalConditionType.objects.get(code=code),
        "risk_answered": "Money went missing from the account last year.",
        "why_nothing_less": "Quarterly statements did not show where it went; "
        "receipts are the least intrusive way to check.",
        "agreement": "agreed",
        "person_view": "I don't mind, I keep everything anyway.",
        "review_on": schedule.add_months(payment.first_payment_on, 6),
        **extra,
    }
    return services.add_local_condition(user=user, payment=payment, data=data)


def create_demo_budgets(*, staff: dict, out) -> None:
    team = staff["teams"][0]
    worker = staff["practitioner"]
    manager = staff["manager"]
    if PersonalBudget.objects.filter(person__team=team).exists():
        out.write("Demo personal budgets already exist; left as they are.\n")
        return
    today = datetime.date.today()
    people = _people(team)

    # 1. Review due soon: first payment almost six months ago.
    due_soon = _payment(
        worker,
        _budget(worker, people[0]),
        first_payment_on=schedule.add_months(today, -6) + datetime.timedelta(days=12),
        wants="Pick my own carers and get to chapel on Sundays.",
    )
    _condition(worker, due_soon, "separate-account")

    # 2. Review overdue: first payment eight months ago, never reviewed.
    overdue = _payment(
        worker,
        _budget(worker, people[1]),
        first_payment_on=schedule.add_months(today, -8),
        wants="Have help at times that suit my shifts at the library.",
    )
    _condition(worker, overdue, "keep-records")

    # 3. A local condition the person has not agreed to.
    disputed = _payment(
        worker,
        _budget(worker, people[2]),
        first_payment_on=schedule.add_months(today, -2),
        wants="Pay my neighbour's cleaning firm and go to the gym.",
    )
    _condition(
        worker,
        disputed,
        "registered-provider",
        agreement="disagreed",
        person_view="I want to choose who helps me, not be told.",
    )

    # 4. A breached condition (which triggers a review).
    breached = _payment(
        worker,
        _budget(worker, people[3]),
        first_payment_on=schedule.add_months(today, -4),
        wants="Keep living at home with help in the mornings.",
    )
    receipts = _condition(worker, breached, "keep-records")
    services.record_condition_status(
        user=worker,
        condition=receipts,
        expected_version=receipts.version,
        changes={
            "status": "breached",
            "breached_on": today - datetime.timedelta(days=5),
            "breach_details": "No receipts sent for three months despite two reminders.",
        },
    )

    # 5. A close family member paid under a regulation 3 exception.
    family = _payment(
        worker,
        _budget(worker, people[4]),
        first_payment_on=schedule.add_months(today, -5),
        wants="Have my daughter help me at night, as she always has.",
    )
    exception = services.add_family_exception(
        user=manager,
        payment=family,
        data={
            "family_member_name": "Rhiannon " + people[4].family_name,
            "relationship": "Daughter",
            "covers": "care",
            "necessity_reasons": "Night care in Welsh; no agency could provide it "
            "and the person becomes distressed with strangers at night.",
            "authorised_on": schedule.add_months(today, -5),
            "review_on": today + datetime.timedelta(days=20),
        },
    )
    services.add_assistant(
        user=worker,
        payment=family,
        data={
            "name": exception.family_member_name,
            "started_on": family.start_date,
            "relationship": "child",
            "same_household": True,
            "family_exception": exception,
            "dbs_type": "enhanced_barred",
            "dbs_checked_on": family.start_date - datetime.timedelta(days=20),
            "dbs_certificate_reference": "001122334455",
            "dbs_recheck_due": schedule.add_months(family.start_date, 36),
        },
    )

    # 6. A concern about a personal assistant: payments suspended.
    suspended = _payment(
        worker,
        _budget(worker, people[5]),
        first_payment_on=schedule.add_months(today, -3),
        wants="Get out to the market and the park every week.",
    )
    services.add_assistant(
        user=worker,
        payment=suspended,
        data={
            "name": "Casey Hart",
            "started_on": suspended.start_date,
            "relationship": "none",
            "dbs_type": "enhanced",
            "dbs_checked_on": suspended.start_date - datetime.timedelta(days=30),
            "dbs_certificate_reference": "009988776655",
            "dbs_request": "completed",
            "dbs_requested_on": suspended.start_date - datetime.timedelta(days=45),
            "dbs_completed_on": suspended.start_date - datetime.timedelta(days=30),
        },
    )
    concern = ConcernFactory(
        person=people[5],
        team=team,
        summary="Bank reports card payments at a betting shop; the personal "
        "assistant holds the card.",
    )
    services.link_concern(
        user=worker,
        payment=suspended,
        concern=concern,
        role="pa_source",
        notes="The PA is said to use the payment card for themselves.",
    )
    services.suspend_pending_investigation(
        user=worker,
        payment=suspended,
        concern=concern,
        reason="Concern that the personal assistant is misusing the card.",
    )

    # 7 and 8. Budgets without a direct payment.
    _budget(worker, people[6], management="council", total="9100.00")
    _budget(worker, people[7], management="isf", total="12400.00")
    out.write(f"Created demo personal budgets for {PEOPLE} people in {team}.\n")
