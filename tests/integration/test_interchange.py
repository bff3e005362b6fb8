"""Importing and exporting cases in the interchange format (version 1)."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from enquiries.factories import (
    ConcernFactory,
    DesiredOutcomeFactory,
    EnquiryFactory,
    PersonFactory,
    RiskFactory,
)
from enquiries.interchange import export_cases, import_cases
from enquiries.models import (
    ChronologyEvent,
    Concern,
    DesiredOutcome,
    Enquiry,
    Person,
    PersonNameWord,
    Risk,
    SafeguardingAdultsReview,
    SarIndividual,
)
from msp.factories import TeamFactory
from msp.models import AuditEvent, Team
from outcomes.models import EnquiryFigures
from tests.integration.outcomes.test_sac_synthetic import synthetic_records

pytestmark = pytest.mark.django_db

MODELS = (
    Person,
    PersonNameWord,
    Concern,
    Enquiry,
    Risk,
    DesiredOutcome,
    SafeguardingAdultsReview,
    SarIndividual,
    ChronologyEvent,
    AuditEvent,
)


def jsonl(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def run(text: str, **kwargs):
    out = io.StringIO()
    report = import_cases(io.StringIO(text), stdout=out, **kwargs)
    return report, out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


PERSON = {
    "record": "person",
    "ref": "P1",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth": "1940-02-01",
    "gender": "female",
    "ethnicity": "white_irish",
    "primary_support_reason": "memory_cognition",
    "health_conditions": ["autism"],
}
CONCERN = {
    "record": "concern",
    "ref": "C1",
    "person": "P1",
    "received_on": "2024-06-01",
    "in_our_area": True,
}
ENQUIRY = {
    "record": "enquiry",
    "ref": "E1",
    "concern": "C1",
    "kind": "section_42",
    "started_on": "2024-06-03",
    "concluded_on": "2024-09-01",
    "risks": [
        {"type": "financial_material", "location": "own_home", "source": "known"}
    ],
    "risk_assessment_outcome": "risk_identified_action",
    "risk_result": "removed",
    "lacked_capacity": "no",
    "capacity_support": False,
    "asked_desired_outcomes": "yes",
    "desired_outcomes": [{"text": "Get my savings back", "achieved": "partially"}],
    "outcomes_achieved": "partially",
}
SAR = {
    "record": "sar",
    "ref": "S1",
    "completed_on": "2024-12-01",
    "individuals": [{"person": "P1", "died": False}, {"person": None, "died": True}],
}


def test_import_creates_every_record_with_forward_references():
    report, output = run(jsonl(SAR, ENQUIRY, CONCERN, PERSON, ""))
    assert report.ok, report.errors
    assert (report.created["person"], report.created["enquiry"]) == (1, 1)
    assert "person: 1 created, 0 updated" in output
    person = Person.objects.get(source_ref="P1")
    assert person.health_conditions == ["autism"]
    enquiry = Enquiry.objects.get(source_ref="E1")
    assert enquiry.concern.person == person
    assert enquiry.status == "closed"
    assert enquiry.kind_at_start == "section_42"
    assert enquiry.concern.status == "decided"
    assert enquiry.concern.decision == "section_42"
    risk = enquiry.risks.get()
    assert (risk.risk_type, risk.concern_id) == (
        "financial_material",
        enquiry.concern_id,
    )
    outcome = enquiry.desired_outcomes.get()
    assert (outcome.text, outcome.achieved, outcome.person) == (
        "Get my savings back",
        "partially",
        person,
    )
    review = SafeguardingAdultsReview.objects.get(source_ref="S1")
    assert sorted(review.individuals.values_list("died", flat=True)) == [False, True]
    assert ChronologyEvent.objects.filter(person=person).count() == 2
    assert (
        AuditEvent.objects.filter(summary__startswith="Imported case records").count()
        == 1
    )


def test_import_into_an_empty_system_makes_an_imported_records_team():
    run(jsonl(PERSON, CONCERN))
    concern = Concern.objects.get()
    assert concern.team.name == "Imported records"
    assert concern.status == "closed"
    assert concern.person.team == concern.team


def test_import_uses_the_named_team_and_refuses_an_unknown_one():
    TeamFactory(name="A team", code="a")
    south = TeamFactory(name="South", code="south")
    run(jsonl(PERSON, CONCERN), team_code="south")
    assert Concern.objects.get().team == south
    before = counts()
    report, _ = run(jsonl({**PERSON, "ref": "P2"}), team_code="nowhere")
    assert not report.ok
    assert report.errors == ["team: no team with code 'nowhere'"]
    assert counts() == before


def test_importing_twice_changes_nothing_the_second_time():
    text = jsonl(PERSON, CONCERN, ENQUIRY, SAR)
    run(text)
    before = counts()
    report, output = run(text)
    assert report.ok
    assert report.created["person"] == 0
    assert report.unchanged["enquiry"] == 1
    after = counts()
    # Only the import's own audit line is new.
    assert after == {**before, "AuditEvent": before["AuditEvent"] + 1}
    assert "enquiry: 0 created, 0 updated, 1 unchanged" in output


def test_reimport_with_changes_updates_in_place():
    run(jsonl(PERSON, CONCERN, ENQUIRY, SAR))
    changed = {
        **ENQUIRY,
        "lacked_capacity": "yes",
        "risks": [{"type": "physical", "location": "own_home", "source": "unknown"}],
    }
    report, _ = run(jsonl({**PERSON, "family_name": "King"}, CONCERN, changed, SAR))
    assert report.ok
    assert (report.updated["person"], report.updated["enquiry"]) == (1, 1)
    assert Person.objects.get().family_name == "King"
    enquiry = Enquiry.objects.get()
    assert enquiry.lacked_capacity == "yes"
    assert enquiry.version == 2
    live = enquiry.risks.filter(is_withdrawn=False)
    assert list(live.values_list("risk_type", flat=True)) == ["physical"]
    assert enquiry.risks.filter(is_withdrawn=True).count() == 1


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [PERSON, {**CONCERN}, {**ENQUIRY, "kind": "section_43"}],
            "line 3: kind: unknown code 'section_43' (expected one of: other, section_42)",
        ),
        ([{**PERSON, "ref": None}], "line 1: ref: is required (a non-empty string)"),
        ([{**PERSON, "ref": ""}], "line 1: ref: is required (a non-empty string)"),
        (
            [PERSON, {**CONCERN, "received_on": "01/06/2024"}],
            "line 2: received_on: must be a date written YYYY-MM-DD, got '01/06/2024'",
        ),
        (
            [PERSON, {**CONCERN, "received_on": "2024-02-30"}],
            "line 2: received_on: is not a real date: '2024-02-30'",
        ),
        (
            [PERSON, {**CONCERN, "person": "P9"}],
            "line 2: person: no person with ref 'P9'",
        ),
        (
            [PERSON, PERSON],
            "line 2: ref: duplicate person ref 'P1' (first used on line 1)",
        ),
        ([PERSON, '{"record": "concern", "ref": '], "line 2: json: not valid JSON"),
        (
            [{**PERSON, "record": "carer"}],
            "line 1: record: unknown record type 'carer' "
            "(expected person, concern, enquiry, sar, s45_request, "
            "information_share, organisational_enquiry, pipot_case or document)",
        ),
        (["[1, 2]"], "line 1: json: each line must be a JSON object"),
        (
            [
                PERSON,
                CONCERN,
                {
                    **ENQUIRY,
                    "risks": [
                        {"type": "physical", "location": "moon", "source": "known"}
                    ],
                },
            ],
            "line 3: risks[0].location: unknown code 'moon'",
        ),
        (
            [PERSON, CONCERN, {**ENQUIRY, "risk_assessment_outcome": "no_risk_action"}],
            "line 3: risk_result: only allowed with risk_assessment_outcome",
        ),
        (
            [PERSON, CONCERN, {**ENQUIRY, "concluded_on": "2024-06-01"}],
            "line 3: concluded_on: must be on or after started_on",
        ),
        (
            [{**PERSON, "nhs_number": "1234567890"}],
            "line 1: nhs_number: Enter a valid NHS number",
        ),
        (
            [{**SAR, "individuals": [{"person": "P7", "died": True}]}],
            "line 1: individuals[0].person: no person with ref 'P7'",
        ),
    ],
)
def test_invalid_files_change_nothing_and_say_where(lines, expected):
    run(jsonl({**PERSON, "ref": "EXISTING"}))
    before = counts()
    report, output = run(jsonl(*lines))
    assert not report.ok
    assert any(error.startswith(expected) for error in report.errors), report.errors
    assert "nothing was imported" in output
    assert counts() == before


def test_every_problem_is_listed_in_line_order():
    text = jsonl(
        {**PERSON, "gender": "robot", "date_of_birth": "yesterday"},
        {**CONCERN, "person": "nobody"},
        "not json",
    )
    report, _ = run(text)
    assert report.errors == [
        "line 1: date_of_birth: must be a date written YYYY-MM-DD, got 'yesterday'",
        "line 1: gender: unknown code 'robot' (expected one of: female, male, not_known)",
        "line 2: person: no person with ref 'nobody'",
        "line 3: json: not valid JSON (Expecting value)",
    ]


def test_references_may_point_to_records_already_in_the_database():
    run(jsonl(PERSON))
    report, _ = run(jsonl(CONCERN))
    assert report.ok
    assert Concern.objects.get().person.source_ref == "P1"


def test_the_ref_index_is_a_temporary_file_removed_afterwards(tmp_path, monkeypatch):
    # Refs are checked in a temporary SQLite file (memory stays flat however
    # long the file); nothing of it is left on disk, whether the file is good
    # or bad.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    many = [{**PERSON, "ref": f"P{n}"} for n in range(300)]
    concerns = [{**CONCERN, "ref": f"C{n}", "person": f"P{n}"} for n in range(300)]
    report, _ = run(jsonl(*concerns, *many))  # forward references
    assert report.ok and Concern.objects.count() == 300
    report, _ = run(jsonl({**CONCERN, "ref": "C-bad", "person": "nobody"}))
    assert report.errors == ["line 1: person: no person with ref 'nobody'"]
    assert not list(tmp_path.glob("msp-import-refs-*"))


def test_unknown_fields_are_reported_as_ignored():
    report, output = run(
        jsonl({**PERSON, "shoe_size": 9, "pet": "cat"}, {**CONCERN, "shoe_size": 3})
    )
    assert report.ok
    assert (
        "Fields ignored (not part of this system): concern.shoe_size (1 line), person.pet (1 line), person.shoe_size (1 line)"
        in output
    )


def test_progress_is_shown_on_large_files(monkeypatch):
    from enquiries import interchange

    monkeypatch.setattr(interchange, "PROGRESS_EVERY", 3)
    monkeypatch.setattr(interchange, "BATCH_SIZE", 2)
    people = [{**PERSON, "ref": f"P{n}"} for n in range(7)]
    err = io.StringIO()
    report = import_cases(io.StringIO(jsonl(*people)), stdout=io.StringIO(), stderr=err)
    assert report.created["person"] == 7
    assert "Checked 3 lines" in err.getvalue()
    assert "Checked 6 lines" in err.getvalue()
    assert "Imported 6 records (people)" in err.getvalue()


def test_dry_run_reports_and_changes_nothing():
    report, output = run(jsonl(PERSON, CONCERN, ENQUIRY), dry_run=True)
    assert report.ok
    assert "person: 1 to create" in output
    assert Person.objects.count() == 0
    assert AuditEvent.objects.count() == 0


# ---------------------------------------------------------------------------
# Export and round trip
# ---------------------------------------------------------------------------


def _export() -> str:
    stream = io.StringIO()
    export_cases(stream)
    return stream.getvalue()


def test_records_made_in_the_app_export_with_their_reference():
    enquiry = EnquiryFactory(concluded=True)
    RiskFactory(concern=enquiry.concern, enquiry=enquiry)
    DesiredOutcomeFactory(person=enquiry.concern.person, enquiry=enquiry)
    lines = [json.loads(line) for line in _export().splitlines()]
    kinds = [line["record"] for line in lines]
    assert kinds == ["header", "person", "concern", "enquiry"]
    assert lines[1]["ref"] == str(enquiry.concern.person.reference)
    assert lines[3]["concern"] == str(enquiry.concern.reference)
    assert lines[3]["risks"] == [
        {"type": "neglect_omission", "location": "own_home", "source": "known"}
    ]
    # Importing the export into the same database updates, never duplicates.
    report, _ = run(_export())
    assert report.ok
    assert report.created["person"] == 0
    assert Person.objects.count() == 1
    assert Enquiry.objects.count() == 1
    assert Person.objects.get().source_ref == lines[1]["ref"]


def test_export_then_import_into_an_empty_database_round_trips(tmp_path):
    run(jsonl(*synthetic_records(people=60, seed=7)))
    PersonFactory()  # plus records made in the app
    enquiry = EnquiryFactory(concluded=True, kind="section_42", kind_at_start="other")
    RiskFactory(concern=enquiry.concern, enquiry=enquiry, source="service_provider")
    DesiredOutcomeFactory(person=enquiry.concern.person, concern=enquiry.concern)
    first = _export()
    # Empty the case tables (the audit trail is append-only and stays), and
    # what the reports keep from them.
    EnquiryFigures.objects.all().delete()
    for model in reversed(MODELS):
        if model is not AuditEvent:
            model.objects.all()._raw_delete(model.objects.db)
    Team.objects.all().delete()
    assert Person.objects.count() == 0
    path = tmp_path / "cases.jsonl"
    path.write_text(first, encoding="utf-8")
    report = import_cases(path, stdout=io.StringIO())
    assert report.ok, report.errors[:5]
    assert report.created["enquiry"] == first.count('"record": "enquiry"')
    second = _export()
    assert second == first
    assert '"kind_at_start": "other"' in second


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def test_import_command_succeeds_and_prints_the_summary(tmp_path: Path):
    path = tmp_path / "cases.jsonl"
    path.write_text(jsonl(PERSON, CONCERN), encoding="utf-8")
    out = io.StringIO()
    call_command("import_cases", str(path), stdout=out, stderr=io.StringIO())
    assert "concern: 1 created" in out.getvalue()


def test_import_command_fails_with_every_problem(tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        jsonl({**PERSON, "gender": "x"}, {**CONCERN, "person": "no"}), encoding="utf-8"
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_cases", str(path), stdout=out, stderr=io.StringIO())
    assert "line 1: gender: unknown code 'x'" in out.getvalue()
    assert "line 2: person: no person with ref 'no'" in out.getvalue()
    assert Person.objects.count() == 0


def test_import_command_refuses_a_missing_file(tmp_path: Path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_cases", str(tmp_path / "absent.jsonl"))


def test_export_command_writes_a_file(tmp_path: Path):
    run(jsonl(PERSON, CONCERN, ENQUIRY, SAR))
    path = tmp_path / "out.jsonl"
    call_command("export_cases", "--output", str(path), stderr=io.StringIO())
    kinds = [json.loads(line)["record"] for line in path.read_text().splitlines()]
    assert kinds == ["header", "person", "concern", "enquiry", "sar"]


def test_a_byte_order_mark_and_blank_lines_are_accepted():
    text = "\ufeff" + jsonl(PERSON) + "\n   \n" + jsonl(CONCERN)
    report, _ = run(text)
    assert report.ok, report.errors
    assert Concern.objects.count() == 1


def test_imported_concerns_carry_the_sac_age_test_and_follow_changes():
    young = {**PERSON, "date_of_birth": "2008-07-01"}
    day_before = {**CONCERN, "received_on": "2026-06-30"}
    report, _ = run(jsonl(young, day_before))
    assert report.ok, report.errors
    assert Concern.objects.get(source_ref="C1").adult_on_receipt is False
    # A corrected date received: 18 on the day.
    report, _ = run(jsonl(young, {**day_before, "received_on": "2026-07-01"}))
    assert report.ok, report.errors
    assert report.updated["concern"] == 1
    assert Concern.objects.get(source_ref="C1").adult_on_receipt is True
    # A corrected date of birth moves the concern back out of scope.
    report, _ = run(
        jsonl(
            {**young, "date_of_birth": "2008-07-02"},
            {**day_before, "received_on": "2026-07-01"},
        )
    )
    assert report.ok, report.errors
    assert Concern.objects.get(source_ref="C1").adult_on_receipt is False


def test_records_are_found_however_their_json_is_spelled():
    # Spacing and \u escapes (in the type, or in the key) are valid JSON for
    # the same records, and must be read as such.
    person = '{"ref": "P1", "record" :\t"p\\u0065rson", "given_name": "Ada",' + (
        ' "family_name": "Lovelace", "date_of_birth": "1940-02-01"}'
    )
    concern = json.dumps(CONCERN, separators=(",", ":")).replace(
        '"record"', '"\\u0072ecord"'
    )
    enquiry = json.dumps(ENQUIRY).replace('"enquiry"', '"\\u0065nquiry"')
    assert "\\u0065nquiry" in enquiry and "\\u0072ecord" in concern
    report, _ = run(jsonl(person, concern, enquiry))
    assert report.ok, report.errors
    assert Person.objects.get(source_ref="P1").given_name == "Ada"
    assert Concern.objects.get(source_ref="C1").person.source_ref == "P1"
    assert Enquiry.objects.get(source_ref="E1").concern.decision == "section_42"


def test_text_that_is_not_utf8_is_reported_by_line():
    data = jsonl(PERSON).encode(
        "utf-8"
    ) + '{"record": "person", "given_name": "Zoë"}\n'.encode("latin-1")
    report = import_cases(io.BytesIO(data), stdout=io.StringIO())
    assert report.errors == ["line 2: json: not valid UTF-8 text"]
    assert Person.objects.count() == 0


def test_reimporting_an_export_keeps_the_apps_own_progress():
    gathering = ConcernFactory(status="information_gathering")
    enquiry = EnquiryFactory(kind="other", kind_at_start="other", status="plan_active")
    report, _ = run(_export())
    assert report.ok, report.errors
    gathering.refresh_from_db()
    assert gathering.status == "information_gathering"
    enquiry.refresh_from_db()
    assert enquiry.status == "plan_active"
    assert (enquiry.concern.status, enquiry.concern.decision) == (
        "decided",
        "section_42",
    )


def test_records_added_after_an_import_get_their_own_numbers():
    report, _ = run(jsonl(PERSON, CONCERN, ENQUIRY))
    assert report.ok, report.errors
    imported = Enquiry.objects.get(source_ref="E1")
    assert imported.created_at is not None
    assert imported.updated_at is not None
    # Work recorded in the app afterwards must not collide with the import.
    added = EnquiryFactory()
    assert added.pk != imported.pk
    assert added.concern_id != imported.concern_id
    assert added.concern.person_id != imported.concern.person_id
    assert Enquiry.objects.count() == 2


def test_a_second_import_file_adds_to_the_first():
    first, _ = run(jsonl(PERSON, CONCERN))
    assert first.ok, first.errors
    second, _ = run(
        jsonl({**CONCERN, "ref": "C2", "received_on": "2024-07-01"}, ENQUIRY)
    )
    assert second.ok, second.errors
    assert (second.created["concern"], second.created["enquiry"]) == (1, 1)
    enquiry = Enquiry.objects.get(source_ref="E1")
    assert enquiry.risks.get().risk_type == "financial_material"
    assert ChronologyEvent.objects.filter(person__source_ref="P1").count() == 3
