"""Event dates in the interchange format (issue 15): the dates of the
concern, the decision, the conclusion and each desired outcome's evaluation,
and the time each desired outcome was typed in, go out through export_cases
and come back through import_cases unchanged; version 1 files still import."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.utils import timezone

from enquiries.factories import (
    DesiredOutcomeFactory,
    EnquiryFactory,
    PersonViewFactory,
)
from enquiries.interchange import export_cases, import_cases
from enquiries.models import (
    ConsentDecision,
    DesiredOutcome,
    Enquiry,
    Person,
    PersonView,
)
from msp.models import AuditEvent, Team
from outcomes.models import EnquiryFigures
from tests.integration.test_interchange import MODELS

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
RECEIVED = TODAY - datetime.timedelta(days=90)
DECIDED = TODAY - datetime.timedelta(days=70)
EVALUATED = TODAY - datetime.timedelta(days=20)
CONCLUDED = TODAY - datetime.timedelta(days=10)
FINDINGS = TODAY - datetime.timedelta(days=40)
OUTCOME = TODAY - datetime.timedelta(days=30)
VIEWS_GIVEN = TODAY - datetime.timedelta(days=88)
CONSENT_DECIDED = TODAY - datetime.timedelta(days=85)
TYPED = timezone.now() - datetime.timedelta(days=60, hours=3)


def export() -> str:
    stream = io.StringIO()
    export_cases(stream)
    return stream.getvalue()


def records(text: str, kind: str) -> list[dict]:
    return [
        r
        for r in (json.loads(line) for line in text.splitlines())
        if r["record"] == kind
    ]


def empty_the_case_tables() -> None:
    EnquiryFigures.objects.all().delete()  # what the reports keep from them
    for model in (ConsentDecision, PersonView, *reversed(MODELS)):
        if model is not AuditEvent:
            model.objects.all()._raw_delete(model.objects.db)
    Team.objects.all().delete()


def make_case():
    enquiry = EnquiryFactory(
        concluded=True,
        concern__received_on=RECEIVED,
        concern__decided_on=DECIDED,
        concern__person__date_of_death=CONCLUDED - datetime.timedelta(days=2),
        started_on=DECIDED,
        findings_on=FINDINGS,
        outcome_on=OUTCOME,
        concluded_on=CONCLUDED,
    )
    evaluated = DesiredOutcomeFactory(
        person=enquiry.concern.person,
        enquiry=enquiry,
        stage="enquiry",
        text="To stay in my flat.",
        achieved="partially",
        evaluated_on=EVALUATED,
    )
    DesiredOutcomeFactory(
        person=enquiry.concern.person,
        enquiry=enquiry,
        stage="enquiry",
        text="To see my grandson.",
    )
    DesiredOutcome.objects.filter(pk=evaluated.pk).update(recorded_at=TYPED)
    person = enquiry.concern.person
    said = PersonViewFactory(
        person=person, concern=enquiry.concern, given_on=VIEWS_GIVEN
    )
    PersonViewFactory(
        person=person,
        enquiry=enquiry,
        stage="closure",
        source="not_obtained",
        not_obtained_reason="died",
        views_text="",
        given_on=CONCLUDED,
    )
    PersonView.objects.filter(pk=said.pk).update(recorded_at=TYPED)
    ConsentDecision.objects.create(
        person=person,
        concern=enquiry.concern,
        question="police_referral",
        answer="declined",
        overridden=True,
        override_grounds=["crime"],
        override_reason="Theft of her savings",
        adult_informed_of_override=True,
        decided_on=CONSENT_DECIDED,
    )
    ConsentDecision.objects.create(
        person=person,
        enquiry=enquiry,
        question="safeguarding_plan",
        answer="consented",
        decided_on=DECIDED,
    )
    return enquiry


def test_event_dates_round_trip_into_an_empty_database(tmp_path):
    make_case()
    first = export()
    [concern] = records(first, "concern")
    [enquiry] = records(first, "enquiry")
    assert concern["received_on"] == RECEIVED.isoformat()
    assert concern["decided_on"] == DECIDED.isoformat()
    assert enquiry["started_on"] == DECIDED.isoformat()
    assert enquiry["concluded_on"] == CONCLUDED.isoformat()
    assert enquiry["findings_on"] == FINDINGS.isoformat()
    assert enquiry["outcome_on"] == OUTCOME.isoformat()
    evaluated = enquiry["desired_outcomes"][0]
    assert evaluated["evaluated_on"] == EVALUATED.isoformat()
    assert datetime.datetime.fromisoformat(evaluated["recorded_at"]) == TYPED
    assert enquiry["desired_outcomes"][1]["evaluated_on"] is None
    [views] = concern["views"]
    assert views["given_on"] == VIEWS_GIVEN.isoformat()
    assert datetime.datetime.fromisoformat(views["recorded_at"]) == TYPED
    assert views["text"] == "I just want to feel safe in my own home again."
    [consent] = concern["consent_decisions"]
    assert consent["decided_on"] == CONSENT_DECIDED.isoformat()
    assert consent["override_grounds"] == ["crime"] and consent["overridden"]
    assert enquiry["views"][0]["given_on"] == CONCLUDED.isoformat()
    assert enquiry["views"][0]["not_obtained_reason"] == "died"
    assert enquiry["consent_decisions"][0]["decided_on"] == DECIDED.isoformat()

    empty_the_case_tables()
    assert Person.objects.count() == 0
    path = tmp_path / "cases.jsonl"
    path.write_text(first, encoding="utf-8")
    report = import_cases(path, stdout=io.StringIO())
    assert report.ok, report.errors[:5]
    imported = DesiredOutcome.objects.get(text="To stay in my flat.")
    assert imported.recorded_at == TYPED and imported.evaluated_on == EVALUATED
    assert Enquiry.objects.get().concluded_on == CONCLUDED
    assert Enquiry.objects.get().outcome_on == OUTCOME
    imported_views = PersonView.objects.get(concern__isnull=False)
    assert imported_views.given_on == VIEWS_GIVEN
    assert imported_views.recorded_at == TYPED
    assert (
        ConsentDecision.objects.get(concern__isnull=False).decided_on == CONSENT_DECIDED
    )
    assert export() == first

    # Importing the same file again changes nothing.
    report = import_cases(path, stdout=io.StringIO())
    assert report.ok
    assert DesiredOutcome.objects.count() == 2
    assert PersonView.objects.count() == 2
    assert ConsentDecision.objects.count() == 2
    assert export() == first


def test_a_version_1_file_without_the_new_dates_still_imports_twice_the_same():
    make_case()
    text = export()
    for field in ("evaluated_on", "recorded_at"):
        text = "\n".join(
            json.dumps(
                {
                    **r,
                    "desired_outcomes": [
                        {k: v for k, v in o.items() if k != field}
                        for o in r["desired_outcomes"]
                    ],
                }
                if r["record"] == "enquiry"
                else r
            )
            for r in map(json.loads, text.splitlines())
        )
    text = "\n".join(
        json.dumps(
            {
                k: v
                for k, v in r.items()
                if k not in ("views", "consent_decisions", "findings_on", "outcome_on")
            }
        )
        for r in map(json.loads, text.splitlines())
    )
    assert "recorded_at" not in text and "evaluated_on" not in text
    empty_the_case_tables()
    first = import_cases(io.StringIO(text), stdout=io.StringIO())
    assert first.ok, first.errors[:5]
    ids = set(DesiredOutcome.objects.values_list("pk", "status"))
    again = import_cases(io.StringIO(text), stdout=io.StringIO())
    assert again.ok
    assert set(DesiredOutcome.objects.values_list("pk", "status")) == ids
    assert Enquiry.objects.get().concluded_on == CONCLUDED
    # Dates this system keeps that a version 1 file has no field for are
    # kept when it is imported again.
    Enquiry.objects.update(findings_on=FINDINGS)
    assert import_cases(io.StringIO(text), stdout=io.StringIO()).ok
    assert Enquiry.objects.get().findings_on == FINDINGS


def test_bad_outcome_dates_are_refused_with_the_line_and_field():
    make_case()
    text = export()
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if '"record": "enquiry"' in line)
    record = json.loads(lines[index])
    record["desired_outcomes"][0]["recorded_at"] = "yesterday"
    record["desired_outcomes"][1]["evaluated_on"] = (
        TODAY + datetime.timedelta(days=1)
    ).isoformat()
    record["views"][0]["given_on"] = (TODAY + datetime.timedelta(days=1)).isoformat()
    record["consent_decisions"][0]["question"] = "everything"
    lines[index] = json.dumps(record)
    report = import_cases(io.StringIO("\n".join(lines)), stdout=io.StringIO())
    assert not report.ok
    line = index + 1
    assert any(
        e.startswith(f"line {line}: desired_outcomes[0].recorded_at: must be a date")
        for e in report.errors
    )
    assert (
        f"line {line}: desired_outcomes[1].evaluated_on: must be today or in the past"
        in report.errors
    )
    assert f"line {line}: views[0].given_on: must be today or in the past" in (
        report.errors
    )
    assert any(
        e.startswith(f"line {line}: consent_decisions[0].question: unknown code")
        for e in report.errors
    )


def test_a_view_added_to_the_file_is_added_once():
    make_case()
    records_ = [json.loads(line) for line in export().splitlines()]
    concern = next(r for r in records_ if r["record"] == "concern")
    concern["views"].append(
        {
            "stage": "information_gathering",
            "source": "advocate",
            "text": "She wants the bank to stop him.",
            "given_on": DECIDED.isoformat(),
        }
    )
    text = "\n".join(json.dumps(r) for r in records_)
    for _ in range(2):
        report = import_cases(io.StringIO(text), stdout=io.StringIO())
        assert report.ok, report.errors[:5]
    added = PersonView.objects.get(source="advocate")
    assert added.given_on == DECIDED and added.concern_id == concern_id_of(concern)
    assert PersonView.objects.count() == 3


def concern_id_of(record: dict) -> int:
    from enquiries.models import Concern

    return Concern.objects.get(reference=record["ref"]).pk
