"""Event dates (issue 15): a case recorded late counts in the years its events
happened, a late entry shows both dates, a case whose adult died can still be
closed with a valid SG4a answer, and the dates survive export and import."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from enquiries.factories import (
    ConcernFactory,
    DesiredOutcomeFactory,
    EnquiryFactory,
    PersonFactory,
    PersonViewFactory,
    RiskFactory,
)
from enquiries.interchange import export_cases, import_cases
from enquiries.models import ChronologyEvent, Concern, Enquiry
from outcomes.sac import compute_sac_return, data_quality_checks
from outcomes.sac_spec import consistency_problems

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
# The latest spring wholly in the past: March of one financial year, April
# and May of the next.
SPRING = TODAY.year if datetime.date(TODAY.year, 6, 1) <= TODAY else TODAY.year - 1
EARLIER_YEAR = f"{SPRING - 1}-{str(SPRING)[2:]}"
LATER_YEAR = f"{SPRING}-{str(SPRING + 1)[2:]}"
SG1F_CONCERNS = "Total Number of Safeguarding Concerns"
SG1F_S42 = "Total Number of Section 42 Safeguarding Enquiries"


def sac_cells(year: str) -> dict[tuple[str, str, str], int]:
    out = io.StringIO()
    call_command("sac_return", "--year", year, stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    return {
        (r["table"], r["category"], r["subcategory"]): int(r["value"]) for r in rows
    }


def sg4a_total(cells: dict) -> int:
    return sum(
        value
        for (table, category, _sub), value in cells.items()
        if table == "SG4a"
        and category
        in {
            "Yes they were asked and outcomes were expressed",
            "Yes they were asked but no outcomes were expressed",
            "No",
            "Don't know",
            "Not recorded",
        }
    )


def url(name, obj):
    return reverse(f"enquiries:{name}", args=[obj.reference])


def test_a_case_recorded_late_counts_each_event_in_the_year_it_happened(
    client, practitioner, manager, team
):
    received = datetime.date(SPRING, 3, 20)
    decided = datetime.date(SPRING, 4, 10)
    concluded = datetime.date(SPRING, 5, 20)
    person = PersonFactory(team=team, date_of_birth=datetime.date(1941, 2, 3))
    concern = ConcernFactory(
        person=person,
        received_on=received,
        allocated_to=practitioner,
        criterion_care_needs="yes",
        criterion_abuse="yes",
        criterion_unable_to_protect="yes",
        status="information_gathering",
    )
    PersonViewFactory(person=person, concern=concern)
    client.force_login(practitioner)

    # Typed in today, decided in April: the enquiry starts in April.
    response = client.post(
        url("concern_decision", concern),
        {
            "decision": "section_42",
            "decided_on": decided.isoformat(),
            "decision_reason": "All three parts met.",
            "version": Concern.objects.get(pk=concern.pk).version,
        },
    )
    assert response.status_code == 302
    enquiry = Enquiry.objects.get(concern=concern)
    assert enquiry.started_on == decided

    PersonViewFactory(person=person, enquiry=enquiry, stage="planning")
    PersonViewFactory(person=person, enquiry=enquiry, stage="closure")
    response = client.post(
        url("enquiry_closure", enquiry),
        {
            "closure_reason": "risk_managed",
            "concluded_on": concluded.isoformat(),
            "adult_view_on_closure": "agrees",
            "sar_considered": "no",
            "version": enquiry.version,
        },
    )
    assert response.status_code == 302
    client.force_login(manager)
    review = client.get(url("enquiry_closure_review", enquiry)).content.decode()
    assert f"20 May {SPRING}" in review  # asked for, shown for confirming
    response = client.post(
        url("enquiry_sign_off", enquiry), {"concluded_on": concluded.isoformat()}
    )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == "closed" and enquiry.concluded_on == concluded

    earlier, later = sac_cells(EARLIER_YEAR), sac_cells(LATER_YEAR)
    # The concern in March: the earlier year. The decision and conclusion in
    # April and May: the later year, though all were typed in today.
    assert earlier[("SG1f", SG1F_CONCERNS, "")] == 1
    assert later[("SG1f", SG1F_CONCERNS, "")] == 0
    assert earlier[("SG1f", SG1F_S42, "")] == 0
    assert later[("SG1f", SG1F_S42, "")] == 1
    assert sg4a_total(earlier) == 0
    assert sg4a_total(later) == 1

    # The chronology shows when each thing happened and, for a late entry,
    # when it was typed in.
    html = client.get(
        reverse("enquiries:chronology", args=[person.reference])
    ).content.decode()
    assert (
        f'Happened on <time datetime="{decided.isoformat()}">10 April {SPRING}' in html
    )
    assert f"20 May {SPRING}" in html
    assert f'Recorded on <time datetime="{TODAY.isoformat()}' in html
    decision = ChronologyEvent.objects.get(person=person, kind="decision")
    assert decision.happened_on == decided and decision.recorded_on == TODAY


def test_event_dates_are_validated(client, practitioner, team):
    person = PersonFactory(
        team=team,
        date_of_birth=datetime.date(1941, 2, 3),
        date_of_death=TODAY - datetime.timedelta(days=5),
    )
    concern = ConcernFactory(
        person=person,
        received_on=TODAY - datetime.timedelta(days=20),
        criterion_care_needs="yes",
        criterion_abuse="yes",
        criterion_unable_to_protect="yes",
        status="information_gathering",
    )
    PersonViewFactory(person=person, concern=concern)
    client.force_login(practitioner)
    page = client.get(url("concern_decision", concern)).content.decode()
    assert "is recorded as having died on" in page  # a warning before deciding

    def decide(day):
        return client.post(
            url("concern_decision", concern),
            {
                "decision": "section_42",
                "decided_on": day.isoformat(),
                "decision_reason": "All three parts met.",
                "version": Concern.objects.get(pk=concern.pk).version,
            },
        ).content.decode()

    assert "must be today or in the past" in decide(TODAY + datetime.timedelta(days=1))
    assert "on or after the date the concern was received" in decide(
        TODAY - datetime.timedelta(days=30)
    )
    assert "on or before the adult&#x27;s date of death" in decide(TODAY)
    assert not Enquiry.objects.exists()
    decide(TODAY - datetime.timedelta(days=10))
    assert Enquiry.objects.get().started_on == TODAY - datetime.timedelta(days=10)


def test_sign_off_refuses_a_conclusion_before_the_start(client, manager, team):
    enquiry = EnquiryFactory(
        status="closure_requested",
        concern__person__team=team,
        concern__received_on=TODAY - datetime.timedelta(days=10),
        started_on=TODAY - datetime.timedelta(days=8),
    )
    client.force_login(manager)
    response = client.post(
        url("enquiry_sign_off", enquiry),
        {"concluded_on": (TODAY - datetime.timedelta(days=9)).isoformat()},
    )
    assert response.status_code == 200
    assert "Date concluded must be on or after the date started" in (
        response.content.decode()
    )
    enquiry.refresh_from_db()
    assert enquiry.status == "closure_requested"


def test_adult_who_died_during_the_enquiry_closes_with_a_valid_sg4a_answer(
    client, practitioner, manager, team
):
    started = datetime.date(SPRING, 4, 2)
    enquiry = EnquiryFactory(
        status="in_progress",
        concern__person__team=team,
        concern__person__date_of_birth=datetime.date(1938, 1, 1),
        concern__received_on=started,
        started_on=started,
        allocated_to=practitioner,
        asked_desired_outcomes="yes",
        lacked_capacity="no",
        risk_assessment_outcome="risk_identified_action",
        risk_result="reduced",
    )
    person = enquiry.concern.person
    RiskFactory(concern=enquiry.concern, enquiry=enquiry)
    outcome = DesiredOutcomeFactory(
        person=person, enquiry=enquiry, text="I want to stay in my flat."
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(outcomes_expressed=True)
    type(person).objects.filter(pk=person.pk).update(
        date_of_death=datetime.date(SPRING, 4, 20)
    )
    client.force_login(practitioner)
    page = client.get(url("enquiry_detail", enquiry)).content.decode()
    assert f"Died 20 April {SPRING}" in page  # identity bar

    evaluate = reverse("outcomes:evaluate", args=[enquiry.reference])
    data = {
        "version": Enquiry.objects.get(pk=enquiry.pk).version,
        "evaluated_with": "not_obtained",
        "evaluated_on": datetime.date(SPRING, 4, 28).isoformat(),
        f"outcome_{outcome.pk}_achieved": "partially",
        f"outcome_{outcome.pk}_comment": "",
    }
    html = client.post(evaluate, data).content.decode()
    assert "Enter why nobody could take part in the evaluation" in html
    data["judgement_reason"] = "She died on 20 April; no family or representative."
    assert client.post(evaluate, data).status_code == 302
    enquiry.refresh_from_db()
    outcome.refresh_from_db()
    assert enquiry.outcomes_achieved == "partially"
    assert enquiry.outcomes_judgement_reason.startswith("She died")
    assert outcome.evaluated_on == datetime.date(SPRING, 4, 28)

    PersonViewFactory(person=person, enquiry=enquiry, stage="enquiry")
    PersonViewFactory(
        person=person,
        enquiry=enquiry,
        stage="closure",
        source="not_obtained",
        not_obtained_reason="died",
        views_text="",
    )
    response = client.post(
        url("enquiry_closure", enquiry),
        {
            "closure_reason": "risk_managed",
            "concluded_on": datetime.date(SPRING, 5, 3).isoformat(),
            "adult_view_on_closure": "not_obtainable",
            "sar_considered": "yes",
            "version": enquiry.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    client.force_login(manager)
    assert client.post(url("enquiry_sign_off", enquiry), {}).status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == "closed"
    assert enquiry.concluded_on == datetime.date(SPRING, 5, 3)  # after the death

    cells = compute_sac_return(LATER_YEAR)
    assert cells[("SG4a", "Yes they were asked and outcomes were expressed", "")] == 1
    assert consistency_problems(cells) == []
    start, end = datetime.date(SPRING, 4, 1), datetime.date(SPRING + 1, 3, 31)
    failing = [
        c["key"] for c in data_quality_checks(start, end) if c["records"].exists()
    ]
    assert failing == []


def test_event_dates_round_trip_through_export_and_import(team):
    received = datetime.date(SPRING, 3, 20)
    enquiry = EnquiryFactory(
        status="closed",
        concern__person__team=team,
        concern__received_on=received,
        concern__decided_on=datetime.date(SPRING, 4, 10),
        started_on=datetime.date(SPRING, 4, 10),
        concluded_on=datetime.date(SPRING, 5, 20),
    )
    first = io.StringIO()
    export_cases(first)
    records = [json.loads(line) for line in first.getvalue().splitlines() if line]
    concern = next(r for r in records if r["record"] == "concern")
    exported = next(r for r in records if r["record"] == "enquiry")
    assert concern["received_on"] == received.isoformat()
    assert concern["decided_on"] == f"{SPRING}-04-10"
    assert exported["started_on"] == f"{SPRING}-04-10"
    assert exported["concluded_on"] == f"{SPRING}-05-20"

    # Dates changed here are put back by importing the file (records are
    # matched on their ref), and the next export is the same.
    Concern.objects.filter(pk=enquiry.concern_id).update(decided_on=received)
    Enquiry.objects.filter(pk=enquiry.pk).update(
        started_on=received, concluded_on=received
    )
    import_cases(io.StringIO(first.getvalue()))
    second = io.StringIO()
    export_cases(second)
    again = [json.loads(line) for line in second.getvalue().splitlines() if line]

    def dates(rows):
        return sorted(
            (
                r["record"],
                r.get("received_on"),
                r.get("decided_on"),
                r.get("started_on"),
                r.get("concluded_on"),
            )
            for r in rows
            if r["record"] in {"concern", "enquiry"}
        )

    assert dates(again) == dates(records)


def test_concern_page_shows_the_death_and_a_late_decision(client, practitioner, team):
    person = PersonFactory(
        team=team,
        date_of_birth=datetime.date(1941, 2, 3),
        date_of_death=datetime.date(SPRING, 4, 20),
    )
    enquiry = EnquiryFactory(
        concern__person=person,
        concern__received_on=datetime.date(SPRING, 3, 20),
        concern__decided_on=datetime.date(SPRING, 4, 10),
        concern__decided_by=practitioner,
        started_on=datetime.date(SPRING, 4, 10),
    )
    Concern.objects.filter(pk=enquiry.concern_id).update(
        decided_at=datetime.datetime.now(datetime.UTC)
    )
    client.force_login(practitioner)
    html = client.get(url("concern_detail", enquiry.concern)).content.decode()
    assert f"Died 20 April {SPRING}" in html
    assert f"on 10 April {SPRING} (recorded on " in html
