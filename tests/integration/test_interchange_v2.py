"""Interchange format version 2: published JSON Schemas that the import
applies, a header naming the version, and documents (their details in the
JSON Lines file, their content in a folder beside it, checked by sha256)."""

from __future__ import annotations

import hashlib
import io
import json
import random
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator

from enquiries.interchange import export_cases, import_cases
from enquiries.interchange_schemas import build_schemas, render, schema_folder
from enquiries.models import Document, Person
from tests.integration.outcomes.test_sac_synthetic import synthetic_records

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path):
    """This test's documents in their own folder, to see what is stored."""
    folder = tmp_path / "stored"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "msp.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def stored_files(folder: Path) -> list[Path]:
    return (
        sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
    )


def jsonl(*records) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def export_to(folder: Path, name: str = "cases.jsonl") -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        export_cases(stream, documents=folder / f"{name}.documents")
    return path


def empty_the_database() -> None:
    call_command("flush", interactive=False, verbosity=0)
    assert Person.objects.count() == 0 and Document.objects.count() == 0


def same_folders(first: Path, second: Path) -> None:
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()


def published(kind: str) -> Draft202012Validator:
    path = schema_folder() / f"{kind}.schema.json"
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


PERSON = {"record": "person", "ref": "P1", "given_name": "Ada", "family_name": "Li"}
CONCERN = {
    "record": "concern",
    "ref": "C1",
    "person": "P1",
    "received_on": "2024-06-01",
}


def document_line(ref: str, content: bytes, **extra) -> dict:
    return {
        "record": "document",
        "ref": ref,
        "person": "P1",
        "concern": "C1",
        "title": f"Letter {ref}",
        "kind": "letter",
        "kind_name": "Letter",
        "document_date": "2024-06-02",
        "provided_by": "GP surgery",
        "sensitivity": "yes",
        "content_type": "text/plain",
        "original_name": f"{ref}.txt",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        **extra,
    }


def write_file(tmp_path: Path, records, contents=()) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(jsonl(*records), encoding="utf-8")
    folder = tmp_path / "in.jsonl.documents"
    folder.mkdir(exist_ok=True)
    for content in contents:
        (folder / hashlib.sha256(content).hexdigest()).write_bytes(content)
    return path


# -- the schemas -------------------------------------------------------------


def test_the_published_schemas_are_those_the_code_builds():
    for kind, schema in build_schemas().items():
        path = schema_folder() / f"{kind}.schema.json"
        assert path.read_text(encoding="utf-8") == render(schema), kind
        Draft202012Validator.check_schema(schema)
    call_command("interchange_schemas", "--check", stdout=io.StringIO())


def test_every_line_exported_from_the_demo_data_meets_its_schema(settings, tmp_path):
    settings.DEMO_MODE = True
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", people=0, stdout=io.StringIO())
    path = export_to(tmp_path)
    kinds = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        record = json.loads(line)
        kinds.add(record["record"])
        errors = [e.message for e in published(record["record"]).iter_errors(record)]
        assert not errors, f"line {number} ({record['record']}): {errors}"
    assert {"header", "person", "concern", "enquiry", "document"} <= kinds


def test_a_schema_violation_is_reported_by_line_and_field_and_nothing_imported():
    lines = [
        PERSON,
        {**CONCERN, "summary": ["not", "text"]},
        {**PERSON, "ref": "P2", "health_conditions": "autism"},
    ]
    report = import_cases(io.StringIO(jsonl(*lines)))
    assert report.errors == [
        "line 2: summary: must be a string",
        "line 3: health_conditions: must be a list",
    ]
    assert Person.objects.count() == 0


def test_the_schema_finds_what_the_line_checks_do_not_look_at(tmp_path):
    # Only the published schema says what "adults_own" and "size" must be.
    content = b"A letter.\n"
    line = document_line("D1", content, adults_own="yes", size="10")
    path = write_file(tmp_path, [PERSON, CONCERN, line], [content])
    report = import_cases(path)
    assert report.errors == [
        "line 3: adults_own: must be true or false",
        "line 3: size: must be a whole number",
    ]
    assert Person.objects.count() == 0 and Document.objects.count() == 0
    header = {"record": "header", "format": "csv", "version": 2}
    report = import_cases(io.StringIO(jsonl(header, PERSON)))
    assert report.errors == ["line 1: format: must be 'interchange'"]


# -- the header and version 1 -----------------------------------------------


def test_a_version_1_file_without_a_header_still_imports():
    report = import_cases(io.StringIO(jsonl(PERSON, CONCERN)))
    assert report.ok, report.errors
    assert report.version == 1
    assert report.created["concern"] == 1


def test_the_header_names_the_version_and_must_come_first():
    header = {"record": "header", "format": "interchange", "version": 2}
    report = import_cases(io.StringIO(jsonl(header, PERSON)))
    assert report.ok and report.version == 2
    report = import_cases(io.StringIO(jsonl({**header, "version": 3}, PERSON)))
    assert report.errors == ["line 1: version: unknown code 3 (expected one of: 1, 2)"]
    report = import_cases(io.StringIO(jsonl(PERSON, header)))
    assert report.errors == [
        "line 2: record: the header must be the first line of the file"
    ]
    assert Person.objects.count() == 1  # from the first, valid file only


# -- documents ---------------------------------------------------------------


def test_documents_are_imported_with_their_files_checked(tmp_path, storage_dir):
    content = b"Dear colleague,\nplease find the notes attached.\n"
    withdrawn = b"Uploaded to the wrong case.\n"
    path = write_file(
        tmp_path,
        [
            PERSON,
            CONCERN,
            document_line("D1", content),
            document_line(
                "D2",
                withdrawn,
                sensitivity="no",
                sensitivity_reason="Names a neighbour",
                withdrawn_at="2024-06-05T10:00:00+00:00",
                withdrawn_reason="Wrong case",
            ),
        ],
        [content, withdrawn],
    )
    out = io.StringIO()
    call_command("import_cases", str(path), stdout=out, stderr=io.StringIO())
    assert "document: 2 created" in out.getvalue()
    letter = Document.objects.get(title="Letter D1")
    assert letter.concern.source_ref == "C1" and letter.kind.name == "Letter"
    with storages["documents"].open(letter.storage_name) as held:
        assert held.read() == content
    gone = Document.objects.get(title="Letter D2")
    assert gone.is_withdrawn and gone.withdrawn_reason == "Wrong case"
    assert len(stored_files(storage_dir)) == 2
    # Importing the same file again changes nothing and stores nothing more.
    report = import_cases(path)
    assert report.ok and report.unchanged["document"] == 2
    assert len(stored_files(storage_dir)) == 2


def test_a_file_that_does_not_match_its_checksum_stops_the_import(tmp_path):
    content = b"The original letter.\n"
    path = write_file(tmp_path, [PERSON, CONCERN, document_line("D1", content)])
    folder = tmp_path / "in.jsonl.documents"
    (folder / hashlib.sha256(content).hexdigest()).write_bytes(b"Changed since.\n")
    report = import_cases(path)
    assert report.errors == [
        f"line 3: sha256: the file {hashlib.sha256(content).hexdigest()} "
        "does not match its checksum"
    ]
    (folder / hashlib.sha256(content).hexdigest()).unlink()
    report = import_cases(path)
    assert report.errors[0].startswith("line 3: sha256: no file ")
    with pytest.raises(CommandError):
        call_command(
            "import_cases", str(path), stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert Person.objects.count() == 0 and Document.objects.count() == 0


def test_files_stored_before_a_later_failure_are_removed(tmp_path, storage_dir):
    first, second = b"First letter.\n", b"Second letter.\n"
    other = {**PERSON, "ref": "P2", "given_name": "Bo"}
    # D2 is checked line by line but names a concern about another adult,
    # which only shows once the records are written (after D1's file).
    path = write_file(
        tmp_path,
        [
            PERSON,
            other,
            CONCERN,
            document_line("D1", first),
            document_line("D2", second, person="P2"),
        ],
        [first, second],
    )
    report = import_cases(path)
    assert report.errors == ["document D2: concern: the concern is about another adult"]
    assert stored_files(storage_dir) == []
    assert Document.objects.count() == 0 and Person.objects.count() == 0


def test_a_dry_run_stores_no_file(tmp_path, storage_dir):
    content = b"A letter.\n"
    path = write_file(
        tmp_path, [PERSON, CONCERN, document_line("D1", content)], [content]
    )
    report = import_cases(path, dry_run=True)
    assert report.ok and report.created["document"] == 1
    assert stored_files(storage_dir) == [] and Document.objects.count() == 0


# -- round trips -------------------------------------------------------------


def test_demo_data_round_trips_with_its_documents(settings, tmp_path):
    settings.DEMO_MODE = True
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", people=0, stdout=io.StringIO())
    held = Document.objects.count()
    assert held >= 4
    first = export_to(tmp_path, "first.jsonl")
    empty_the_database()
    an_administrator()  # leads the imported large-scale enquiries
    out = io.StringIO()
    call_command("import_cases", str(first), stdout=out, stderr=io.StringIO())
    assert f"document: {held} created" in out.getvalue()
    second = export_to(tmp_path, "second.jsonl")
    assert second.read_bytes() == first.read_bytes()
    same_folders(
        tmp_path / "first.jsonl.documents", tmp_path / "second.jsonl.documents"
    )
    assert first.read_text(encoding="utf-8").startswith(
        '{"record": "header", "format": "interchange", "version": 2}\n'
    )
    text = first.read_text(encoding="utf-8")
    for name in (
        "meetings",
        "plan_actions",
        "plan_reviews",
        "case_notes",
        "capacity_assessments",
        "personal_budgets",
        "recommendations",
        "actions",
    ):
        assert f'"{name}": [' in text, name
    assert '"record": "organisational_enquiry"' in text
    assert '"record": "pipot_case"' in text


def test_a_generated_data_set_round_trips_with_its_documents(tmp_path):
    rng = random.Random(17)
    records = synthetic_records(people=40, seed=17)
    people = [r["ref"] for r in records if r["record"] == "person"]
    concerns = [r for r in records if r["record"] == "concern"]
    contents, documents = [], []
    for number, concern in enumerate(rng.sample(concerns, 12)):
        content = f"Generated note {number}\n{rng.random()}\n".encode()
        if number % 4 == 0:  # some share their content with another document
            content = b"A shared leaflet.\n"
        contents.append(content)
        line = document_line(f"DOC-{number}", content)
        line.update(person=concern["person"], concern=concern["ref"])
        if number % 5 == 0:
            line.update(concern=None, person=rng.choice(people))
        if number % 3 == 0:
            line.update(
                sensitivity="ask_first",
                sensitivity_reason="Ask the police first",
                withdrawn_at="2024-07-01T09:30:00+01:00",
                withdrawn_reason="Duplicate",
            )
        documents.append(line)
    source = write_file(tmp_path, [*records, *documents], contents)
    assert import_cases(source).ok
    first = export_to(tmp_path, "first.jsonl")
    empty_the_database()
    report = import_cases(first)
    assert report.ok, report.errors[:5]
    assert report.created["document"] == 12
    second = export_to(tmp_path, "second.jsonl")
    assert second.read_bytes() == first.read_bytes()
    same_folders(
        tmp_path / "first.jsonl.documents", tmp_path / "second.jsonl.documents"
    )
    assert len(list((tmp_path / "first.jsonl.documents").iterdir())) == 10


# -- history lists on people and enquiries ------------------------------------

ENQUIRY = {
    "record": "enquiry",
    "ref": "E1",
    "concern": "C1",
    "kind": "section_42",
    "started_on": "2024-06-03",
}
MEETING = {
    "kind": "strategy_discussion",
    "held_on": "2024-06-04",
    "format": "video",
    "attendees": "Social worker, police officer",
    "adult_invited": True,
    "adult_attended": False,
    "recorded_at": "2024-06-04T16:00:00+01:00",
}
CAPACITY = {
    "decision_in_question": "Where to live",
    "assessed_on": "2024-06-10",
    "impairment": False,
    "conclusion": "has_capacity",
}


def test_history_lists_are_added_once_and_keep_when_they_were_typed():
    person = {
        **PERSON,
        "case_notes": [{"text": "Phoned the GP.", "significant": True}],
        "capacity_assessments": [CAPACITY],
    }
    enquiry = {
        **ENQUIRY,
        "meetings": [MEETING],
        "plan_actions": [
            {
                "description": "Move the bank card",
                "owner": "Son",
                "due_on": "2030-01-01",
            }
        ],
    }
    text = jsonl(person, CONCERN, enquiry)
    report = import_cases(io.StringIO(text))
    assert report.ok, report.errors
    assert report.created["meetings"] == 1 and report.created["case_notes"] == 1
    from enquiries.models import CaseNote, Meeting

    meeting = Meeting.objects.get()
    assert meeting.enquiry.source_ref == "E1"
    assert meeting.created_at.isoformat() == "2024-06-04T15:00:00+00:00"
    assert CaseNote.objects.get().enquiry is None
    again = import_cases(io.StringIO(text))
    assert again.ok and again.created["meetings"] == 0
    assert again.unchanged["meetings"] == 1 and Meeting.objects.count() == 1


def test_history_items_are_checked_and_stop_the_import():
    enquiry = {
        **ENQUIRY,
        "meetings": [{**MEETING, "held_on": "2999-01-01", "format": "carrier pigeon"}],
    }
    lacks = {**CAPACITY, "conclusion": "lacks_capacity"}
    person = {**PERSON, "capacity_assessments": [lacks]}
    report = import_cases(io.StringIO(jsonl(PERSON, CONCERN, enquiry)))
    assert report.errors == [
        "line 3: meetings[0].held_on: must be today or in the past",
        "line 3: meetings[0].format: unknown code 'carrier pigeon' "
        "(expected one of: in_person, phone, video)",
    ]
    report = import_cases(io.StringIO(jsonl(person, CONCERN)))
    assert report.errors == [
        "person P1: capacity_assessments[0].conclusion: A person can only lack "
        "capacity if there is an impairment of the mind or brain"
    ]
    assert Person.objects.count() == 0


def test_history_lists_round_trip_on_people_and_enquiries(tmp_path):
    person = {
        **PERSON,
        "case_notes": [
            {"text": "First call.", "recorded_at": "2024-05-30T09:00:00+00:00"},
            {"text": "Final note.", "is_final": True},
        ],
        "capacity_assessments": [CAPACITY],
    }
    enquiry = {
        **ENQUIRY,
        "meetings": [MEETING, {**MEETING, "kind": "review_meeting"}],
        "plan_reviews": [
            {
                "reviewed_on": "2024-07-01",
                "adult_view": "Feels safer",
                "risk_rating": "low",
                "decision": "close",
            }
        ],
        "case_notes": [{"text": "Visited at home."}],
    }
    assert import_cases(io.StringIO(jsonl(person, CONCERN, enquiry))).ok
    first = export_to(tmp_path, "first.jsonl")
    empty_the_database()
    assert import_cases(first).ok
    second = export_to(tmp_path, "second.jsonl")
    assert second.read_bytes() == first.read_bytes()
    records = [json.loads(line) for line in first.read_text().splitlines()]
    assert [len(r.get("case_notes", [])) for r in records[1:]] == [2, 0, 1]
    assert len(records[3]["meetings"]) == 2


# -- corrected views ----------------------------------------------------------

OLD_VIEW = {
    "stage": "concern",
    "source": "adult",
    "text": "He takes my money",
    "own_words": True,
    "not_obtained_reason": None,
    "given_on": "2024-06-01",
    "recorded_at": "2024-06-01T10:00:00+00:00",
}
NEW_VIEW = {
    **OLD_VIEW,
    "text": "My nephew takes my money",
    "recorded_at": "2024-06-02T09:00:00+00:00",
    "correction_reason": "Misheard who she meant",
    "replaces": OLD_VIEW,
}


def test_corrected_views_keep_what_they_corrected_and_why(tmp_path):
    from enquiries.models.voice import PersonView

    concern = {**CONCERN, "views": [NEW_VIEW]}
    assert import_cases(io.StringIO(jsonl(PERSON, concern))).ok
    old, new = PersonView.objects.order_by("pk")
    assert new.supersedes == old and new.correction_reason == "Misheard who she meant"
    assert old.views_text == "He takes my money"
    first = export_to(tmp_path, "first.jsonl")
    exported = json.loads(first.read_text().splitlines()[2])
    assert exported["views"] == [NEW_VIEW]
    # A file naming only the current entry (version 1's shape) adds nothing.
    current = {
        k: v for k, v in NEW_VIEW.items() if k not in ("replaces", "correction_reason")
    }
    report = import_cases(io.StringIO(jsonl(PERSON, {**CONCERN, "views": [current]})))
    assert report.ok and PersonView.objects.count() == 2
    empty_the_database()
    assert import_cases(first).ok
    assert export_to(tmp_path, "second.jsonl").read_bytes() == first.read_bytes()
    assert import_cases(first).ok and PersonView.objects.count() == 2


def test_withdrawn_desired_outcomes_round_trip(tmp_path):
    from enquiries.models import DesiredOutcome

    first_wish = {"text": "Stay at home", "recorded_at": "2024-06-03T10:00:00+00:00"}
    second_wish = {"text": "Move near my daughter"}
    enquiry = {**ENQUIRY, "desired_outcomes": [first_wish]}
    assert import_cases(io.StringIO(jsonl(PERSON, CONCERN, enquiry))).ok
    # A later file with another list withdraws the first outcome (kept).
    changed = {**enquiry, "desired_outcomes": [second_wish]}
    assert import_cases(io.StringIO(jsonl(PERSON, CONCERN, changed))).ok
    assert DesiredOutcome.objects.filter(status="withdrawn").count() == 1
    first = export_to(tmp_path, "first.jsonl")
    exported = json.loads(first.read_text().splitlines()[3])
    assert [o["text"] for o in exported["desired_outcomes"]] == [second_wish["text"]]
    [withdrawn] = exported["withdrawn_desired_outcomes"]
    assert withdrawn["text"] == "Stay at home"
    assert withdrawn["recorded_at"] == "2024-06-03T10:00:00+00:00"
    empty_the_database()
    assert import_cases(first).ok
    assert export_to(tmp_path, "second.jsonl").read_bytes() == first.read_bytes()
    assert import_cases(first).ok
    assert DesiredOutcome.objects.count() == 2
    assert DesiredOutcome.objects.get(status="withdrawn").enquiry.source_ref == "E1"


# -- personal budgets (the budgets app's list on a person) ----------------------

BUDGET = {
    "care_plan_reference": "CSP-1",
    "effective_from": "2024-04-01",
    "total_cost": "15600.00",
    "adult_contribution": "1200.50",
    "management": "direct_payment",
    "recorded_at": "2024-03-20T12:00:00+00:00",
}


def test_personal_budgets_round_trip_with_the_councils_part(tmp_path):
    from budgets.models import PersonalBudget

    person = {**PERSON, "personal_budgets": [BUDGET]}
    assert import_cases(io.StringIO(jsonl(person))).ok
    budget = PersonalBudget.objects.get()
    assert str(budget.council_contribution) == "14399.50"
    first = export_to(tmp_path, "first.jsonl")
    [exported] = json.loads(first.read_text().splitlines()[1])["personal_budgets"]
    assert exported["total_cost"] == "15600.00" and exported["effective_to"] is None
    empty_the_database()
    assert import_cases(first).ok
    assert export_to(tmp_path, "second.jsonl").read_bytes() == first.read_bytes()
    assert import_cases(first).ok and PersonalBudget.objects.count() == 1


def test_a_budget_breaking_its_rules_stops_the_import():
    from budgets.models import PersonalBudget

    bad = {**BUDGET, "total_cost": "100", "adult_contribution": "12,50"}
    report = import_cases(io.StringIO(jsonl({**PERSON, "personal_budgets": [bad]})))
    assert report.errors == [
        "line 1: personal_budgets[0].adult_contribution: must be an amount in "
        "pounds like 1234.50, got '12,50'"
    ]
    over = {**BUDGET, "total_cost": "100.00", "adult_contribution": "200.00"}
    report = import_cases(io.StringIO(jsonl({**PERSON, "personal_budgets": [over]})))
    assert report.errors == [
        "person P1: personal_budgets[0].adult_contribution: The person's "
        "contribution must not be more than the total cost"
    ]
    assert PersonalBudget.objects.count() == 0 and Person.objects.count() == 0


def test_a_document_from_a_meeting_keeps_its_meeting(tmp_path):
    from enquiries.models import Meeting

    content = b"Minutes of the strategy discussion.\n"
    enquiry = {**ENQUIRY, "meetings": [MEETING]}
    minutes = document_line(
        "D1",
        content,
        enquiry="E1",
        meeting={"kind": "strategy_discussion", "held_on": "2024-06-04"},
    )
    path = write_file(tmp_path, [PERSON, CONCERN, enquiry, minutes], [content])
    report = import_cases(path)
    assert report.ok, report.errors
    assert Document.objects.get().meeting == Meeting.objects.get()
    first = export_to(tmp_path, "first.jsonl")
    assert json.loads(first.read_text().splitlines()[-1])["meeting"] == {
        "kind": "strategy_discussion",
        "held_on": "2024-06-04",
    }
    empty_the_database()
    assert import_cases(first).ok
    assert export_to(tmp_path, "second.jsonl").read_bytes() == first.read_bytes()
    wrong = {**minutes, "meeting": {"kind": "review_meeting", "held_on": "2024-06-04"}}
    path = write_file(tmp_path, [PERSON, CONCERN, enquiry, wrong], [content])
    empty_the_database()
    assert import_cases(path).errors == [
        "document D1: meeting: no review_meeting meeting on 2024-06-04 in the "
        "document's enquiry"
    ]


def test_document_files_are_streamed_never_held_whole(tmp_path):
    import tracemalloc

    size = 4 * 1024 * 1024
    contents = [bytes([65 + n]) * size for n in range(4)]
    lines = [document_line(f"D{n}", c) for n, c in enumerate(contents)]
    path = write_file(tmp_path, [PERSON, CONCERN, *lines], contents)
    del contents, lines
    # Warm up (modules, schemas, caches load once) before measuring.
    import_cases(io.StringIO(jsonl(PERSON)), dry_run=True)
    export_to(tmp_path, "warm.jsonl")
    tracemalloc.start()
    try:
        report = import_cases(path)
        _, peak_import = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        export_to(tmp_path, "out.jsonl")
        _, peak_export = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok, report.errors
    # Four 4 MB files in and out; at no time is one of them held whole.
    assert peak_import < 3 * 1024 * 1024
    assert peak_export < 3 * 1024 * 1024
    assert len(list((tmp_path / "out.jsonl.documents").iterdir())) == 4


# -- one ZIP archive -------------------------------------------------------------


def test_an_archive_holds_the_file_and_its_documents_and_round_trips(tmp_path):
    import zipfile

    content = b"A letter in an archive.\n"
    source = write_file(
        tmp_path, [PERSON, CONCERN, document_line("D1", content)], [content]
    )
    assert import_cases(source).ok
    first = tmp_path / "first.zip"
    call_command("export_cases", "--output", str(first), stderr=io.StringIO())
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        sha = hashlib.sha256(content).hexdigest()
        assert names == ["first.jsonl", f"first.jsonl.documents/{sha}"]
        assert archive.read(names[1]) == content
        first_lines = archive.read("first.jsonl")
    empty_the_database()
    out = io.StringIO()
    call_command("import_cases", str(first), stdout=out, stderr=io.StringIO())
    assert "document: 1 created" in out.getvalue()
    second = tmp_path / "second.zip"
    call_command("export_cases", "--output", str(second), stderr=io.StringIO())
    with zipfile.ZipFile(second) as archive:
        assert archive.read("second.jsonl") == first_lines
        assert archive.read(f"second.jsonl.documents/{sha}") == content


def test_an_archive_with_anything_else_in_it_is_refused(tmp_path):
    import zipfile

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("cases.jsonl", jsonl(PERSON))
        archive.writestr("../escape.txt", "no")
    with pytest.raises(CommandError, match="unexpected file '../escape.txt'"):
        call_command("import_cases", str(bad), stdout=io.StringIO())
    (tmp_path / "not.zip").write_text("plain text")
    with pytest.raises(CommandError, match="not a ZIP archive"):
        call_command("import_cases", str(tmp_path / "not.zip"), stdout=io.StringIO())
    assert Person.objects.count() == 0
    assert not (tmp_path.parent / "escape.txt").exists()


def test_an_import_without_the_published_schemas_refuses_to_run(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from enquiries import interchange_schemas

    settings.BASE_DIR = tmp_path  # no docs/interchange/schemas here
    interchange_schemas.validators.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="Interchange schemas missing"):
            import_cases(io.StringIO(jsonl(PERSON)))
    finally:
        interchange_schemas.validators.cache_clear()
    assert Person.objects.count() == 0


def test_a_document_on_another_adults_enquiry_is_refused(tmp_path):
    content = b"A letter.\n"
    other = {**PERSON, "ref": "P2", "given_name": "Bo"}
    line = document_line("D1", content, person="P2", concern=None, enquiry="E1")
    path = write_file(tmp_path, [PERSON, other, CONCERN, ENQUIRY, line], [content])
    assert import_cases(path).errors == [
        "document D1: concern: the concern is about another adult"
    ]
    assert Document.objects.count() == 0 and Person.objects.count() == 0


def test_revised_desired_outcomes_keep_their_status_and_reason(tmp_path):
    from enquiries.models import DesiredOutcome

    wishes = [
        {
            "text": "Stay at home",
            "achieved": None,
            "evaluated_on": None,
            "recorded_at": "2024-06-03T10:00:00+00:00",
            "status": "revised",
            "revision_reason": "She changed her mind after the visit",
        },
        {
            "text": "Move near my daughter",
            "achieved": None,
            "evaluated_on": None,
            "recorded_at": "2024-06-10T10:00:00+00:00",
        },
    ]
    enquiry = {**ENQUIRY, "desired_outcomes": wishes}
    assert import_cases(io.StringIO(jsonl(PERSON, CONCERN, enquiry))).ok
    revised = DesiredOutcome.objects.get(status="revised")
    assert revised.revision_reason == "She changed her mind after the visit"
    first = export_to(tmp_path, "first.jsonl")
    assert json.loads(first.read_text().splitlines()[3])["desired_outcomes"] == wishes
    # A file that does not say which were revised (version 1) changes nothing.
    plain = [
        {k: v for k, v in w.items() if k not in ("status", "revision_reason")}
        for w in wishes
    ]
    report = import_cases(
        io.StringIO(jsonl(PERSON, CONCERN, {**ENQUIRY, "desired_outcomes": plain}))
    )
    assert report.ok and report.updated["enquiry"] == 0
    assert DesiredOutcome.objects.count() == 2
    assert not DesiredOutcome.objects.filter(status="withdrawn").exists()
    empty_the_database()
    assert import_cases(first).ok
    assert export_to(tmp_path, "second.jsonl").read_bytes() == first.read_bytes()


# -- the Safeguarding Adults Review process -----------------------------------

SAR = {
    "record": "sar",
    "ref": "R1",
    "title": "Review of Ada",
    "individuals": [{"person": "P1", "died": False}],
    "referred_on": "2024-07-01",
    "referred_by": "Sam Patel, team manager",
    "referral_reason": "Agencies did not share what they knew",
    "referred_from_enquiry": "E1",
    "decision": "met",
    "decided_on": "2024-07-20",
    "decision_reasons": "Serious abuse; agencies could have worked better",
    "commissioned_on": "2024-08-01",
    "reviewer": "An independent author",
    "recommendations": [
        {"text": "Share risk information", "owner": "Police", "due_on": "2030-01-01"},
        {
            "text": "Train care staff",
            "owner": "Provider",
            "due_on": "2024-09-01",
            "status": "done",
            "done_on": "2024-08-20",
            "recorded_at": "2024-08-02T10:00:00+00:00",
        },
    ],
}


def test_the_sar_process_round_trips_with_its_recommendations(tmp_path):
    from enquiries.models import SafeguardingAdultsReview, SarRecommendation

    text = jsonl(PERSON, CONCERN, ENQUIRY, SAR)
    report = import_cases(io.StringIO(text))
    assert report.ok, report.errors
    review = SafeguardingAdultsReview.objects.get()
    assert review.referred_from_enquiry.source_ref == "E1"
    assert review.decision == "met" and review.reviewer == "An independent author"
    done = SarRecommendation.objects.get(status="done")
    assert done.created_at.isoformat() == "2024-08-02T10:00:00+00:00"
    again = import_cases(io.StringIO(text))
    assert again.ok and again.unchanged["recommendations"] == 2
    assert SarRecommendation.objects.count() == 2
    first = export_to(tmp_path, "first.jsonl")
    exported = json.loads(first.read_text().splitlines()[-1])
    assert exported["decision"] == "met" and len(exported["recommendations"]) == 2
    assert published("sar").is_valid(exported)
    empty_the_database()
    assert import_cases(first).ok
    assert export_to(tmp_path, "second.jsonl").read_bytes() == first.read_bytes()


def test_a_version_1_review_keeps_the_process_recorded_here():
    from enquiries.models import SafeguardingAdultsReview

    assert import_cases(io.StringIO(jsonl(PERSON, CONCERN, ENQUIRY, SAR))).ok
    v1 = {
        "record": "sar",
        "ref": "R1",
        "title": "Review of Ada",
        "commissioned_on": "2024-08-01",
        "completed_on": "2024-12-01",
        "individuals": [{"person": "P1", "died": False}],
    }
    report = import_cases(io.StringIO(jsonl(v1)))
    assert report.ok and report.updated["sar"] == 1
    review = SafeguardingAdultsReview.objects.get()
    assert str(review.completed_on) == "2024-12-01"
    assert review.decision == "met" and review.referred_from_enquiry is not None


def test_a_sar_breaking_the_process_rules_stops_the_import():
    from enquiries.models import SafeguardingAdultsReview

    bad = {
        **SAR,
        "decision": "not_met",
        "decided_on": "2024-06-01",
        "decision_reasons": "",
        "referred_from_enquiry": "E9",
        "recommendations": [
            {
                "text": "Audit",
                "owner": "Council",
                "due_on": "2025-01-01",
                "status": "done",
            }
        ],
    }
    report = import_cases(io.StringIO(jsonl(PERSON, CONCERN, ENQUIRY, bad)))
    assert report.errors == [
        "line 4: decision_reasons: is required with a decision",
        "line 4: decided_on: must not be before referred_on",
        "line 4: commissioned_on: not allowed: the board decided the criteria "
        "were not met",
        "line 4: recommendations[0].done_on: is required when the status is done",
        "line 4: referred_from_enquiry: no enquiry with ref 'E9'",
    ]
    assert SafeguardingAdultsReview.objects.count() == 0
    assert Person.objects.count() == 0


# -- the organisation alleged to have caused harm, on risks --------------------

HOME = {"name": "Elm Court Care Home", "postcode": "NE1 4ST", "kind": "care_home"}


def test_a_risks_organisation_round_trips_and_older_files_keep_it(tmp_path):
    from enquiries.models import Risk

    risk = {
        "type": "neglect_omission",
        "location": "care_home_residential",
        "source": "service_provider",
    }
    enquiry = {**ENQUIRY, "risks": [{**risk, "organisation": HOME}]}
    assert import_cases(io.StringIO(jsonl(PERSON, CONCERN, enquiry))).ok
    assert Risk.objects.get().source_organisation.name == "Elm Court Care Home"
    first = export_to(tmp_path, "first.jsonl")
    exported = json.loads(first.read_text().splitlines()[3])
    assert exported["risks"][0]["organisation"]["name"] == "Elm Court Care Home"
    older = import_cases(io.StringIO(jsonl({**ENQUIRY, "risks": [risk]})))
    assert older.ok and older.unchanged["enquiry"] == 1
    assert Risk.objects.filter(is_withdrawn=False).get().source_organisation
    empty_the_database()
    assert import_cases(first).ok
    assert export_to(tmp_path, "second.jsonl").read_bytes() == first.read_bytes()


# -- large-scale (organisational) enquiries -----------------------------------

PROVIDER_RISK = {
    "type": "neglect_omission",
    "location": "care_home_residential",
    "source": "service_provider",
    "organisation": HOME,
}
LARGE = {
    "record": "organisational_enquiry",
    "ref": "L1",
    "organisation": HOME,
    "trigger": "Three concerns about night staffing in a month",
    "started_on": "2024-06-10",
    "placements_embargoed": True,
    "provider_contact": "Met the registered manager",
    "provider_contacted_on": "2024-06-12",
    "regulator_contact": "CQC inspector told",
    "regulator_contacted_on": "2024-06-13",
    "concluded_on": "2024-09-01",
    "findings_summary": "Staffing below the assessed need",
    "closed_on": "2024-09-10",
    "enquiries": ["E1"],
    "meetings": [
        {
            "held_on": "2024-06-20",
            "other_attendees": "Police, CQC",
            "minutes": "Embargo agreed",
            "recorded_at": "2024-06-21T09:00:00+00:00",
        }
    ],
    "actions": [
        {
            "description": "Staffing audit",
            "owner": "Provider",
            "due_on": "2024-07-31",
            "status": "done",
        }
    ],
}


def an_administrator():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("admin", "a@example.org", "x")


def test_a_large_scale_enquiry_round_trips_with_its_links_meetings_and_actions(
    tmp_path,
):
    from enquiries.models import Enquiry, OrganisationalEnquiry

    an_administrator()
    enquiry = {**ENQUIRY, "risks": [PROVIDER_RISK]}
    text = jsonl(PERSON, CONCERN, enquiry, LARGE)
    report = import_cases(io.StringIO(text))
    assert report.ok, report.errors
    large = OrganisationalEnquiry.objects.get()
    assert large.status == "closed" and large.placements_embargoed
    assert large.organisation.name == "Elm Court Care Home"
    assert Enquiry.objects.get().organisational_enquiry == large
    assert large.meetings.get().created_at.isoformat() == "2024-06-21T09:00:00+00:00"
    again = import_cases(io.StringIO(text))
    assert again.ok and again.unchanged["organisational_enquiry"] == 1
    assert again.unchanged["actions"] == 1 and large.actions.count() == 1
    first = export_to(tmp_path, "first.jsonl")
    exported = json.loads(first.read_text().splitlines()[-1])
    assert exported["enquiries"] == ["E1"] and exported["status"] == "closed"
    assert published("organisational_enquiry").is_valid(exported)
    empty_the_database()
    an_administrator()
    assert import_cases(first).ok
    assert export_to(tmp_path, "second.jsonl").read_bytes() == first.read_bytes()


POLICE = {"name": "Northumbria Police", "postcode": None, "kind": "police"}
POLICE_AGENCY = {
    "organisation": POLICE,
    "role": "police",
    "named_contact": "DC Patel",
    "involved_from": "2024-06-01",
}


def test_a_large_scale_meetings_attending_agencies_round_trip(tmp_path):
    """The agencies of the linked cases chosen as attending a meeting are
    carried, each named by its concern's ref and its own fields."""
    from enquiries.models import OrganisationalMeeting

    an_administrator()
    enquiry = {
        **ENQUIRY,
        "risks": [PROVIDER_RISK],
        "involved_agencies": [POLICE_AGENCY],
    }
    meeting = {
        **LARGE["meetings"][0],
        "agencies": [{"concern": "C1", **POLICE_AGENCY}],
    }
    text = jsonl(PERSON, CONCERN, enquiry, {**LARGE, "meetings": [meeting]})
    report = import_cases(io.StringIO(text))
    assert report.ok, report.errors
    attended = OrganisationalMeeting.objects.get().attendees.get()
    assert attended.organisation.name == "Northumbria Police"
    assert attended.named_contact == "DC Patel" and attended.concern.source_ref == "C1"
    again = import_cases(io.StringIO(text))
    assert again.ok and again.unchanged["meetings"] == 1
    assert OrganisationalMeeting.objects.get().attendees.count() == 1
    first = export_to(tmp_path, "first.jsonl")
    exported = json.loads(first.read_text().splitlines()[-1])
    [agency] = exported["meetings"][0]["agencies"]
    assert agency["concern"] == "C1" and agency["organisation"]["name"] == (
        "Northumbria Police"
    )
    assert agency["named_contact"] == "DC Patel"
    assert published("organisational_enquiry").is_valid(exported)
    empty_the_database()
    an_administrator()
    assert import_cases(first).ok
    assert export_to(tmp_path, "second.jsonl").read_bytes() == first.read_bytes()


def test_an_attending_agency_not_on_a_linked_case_stops_the_import():
    from enquiries.models import OrganisationalEnquiry

    an_administrator()
    enquiry = {
        **ENQUIRY,
        "risks": [PROVIDER_RISK],
        "involved_agencies": [POLICE_AGENCY],
    }
    unknown = {**POLICE_AGENCY, "named_contact": "Someone else"}
    meeting = {**LARGE["meetings"][0], "agencies": [{"concern": "C1", **unknown}]}
    text = jsonl(PERSON, CONCERN, enquiry, {**LARGE, "meetings": [meeting]})
    report = import_cases(io.StringIO(text))
    assert report.errors == [
        "organisational_enquiry L1: meetings[0].agencies[0]: no such involved "
        "agency on concern C1 (list it in the concern's or its enquiry's "
        "involved_agencies)"
    ]
    other = {**CONCERN, "ref": "C2"}
    meeting = {**LARGE["meetings"][0], "agencies": [{"concern": "C2", **POLICE_AGENCY}]}
    text = jsonl(
        PERSON,
        CONCERN,
        {**other, "involved_agencies": [POLICE_AGENCY]},
        enquiry,
        {**LARGE, "meetings": [meeting]},
    )
    report = import_cases(io.StringIO(text))
    assert report.errors == [
        "organisational_enquiry L1: meetings[0].agencies[0].concern: not a concern "
        "of an enquiry linked to this large-scale enquiry"
    ]
    assert OrganisationalEnquiry.objects.count() == 0
    assert Person.objects.count() == 0


def test_a_link_to_an_enquiry_not_naming_the_provider_stops_the_import():
    from enquiries.models import OrganisationalEnquiry

    an_administrator()
    text = jsonl(PERSON, CONCERN, ENQUIRY, LARGE)
    report = import_cases(io.StringIO(text))
    assert report.errors == [
        "line 4: enquiries[0]: enquiry 'E1' cannot be linked: none of its risks "
        "names the provider as the organisation alleged to have caused harm"
    ]
    assert OrganisationalEnquiry.objects.count() == 0
    assert Person.objects.count() == 0


def test_a_large_scale_enquiry_breaking_its_rules_is_reported_by_line():
    bad = {
        **LARGE,
        "trigger": "",
        "concluded_on": None,
        "status": "closed",
        "enquiries": ["E1", "E1", "E9"],
        "actions": [{**LARGE["actions"][0], "status": "open"}],
    }
    report = import_cases(io.StringIO(jsonl(PERSON, CONCERN, ENQUIRY, bad)))
    assert report.errors == [
        "line 4: trigger: is required",
        "line 4: concluded_on: is required when it is closed",
        "line 4: enquiries[1]: enquiry 'E1' is listed twice",
        "line 4: actions[0].status: no action may be open once the enquiry is closed",
        "line 4: enquiries[2]: no enquiry with ref 'E9'",
    ]
    assert Person.objects.count() == 0


# -- PiPoT cases (decision 0026) -------------------------------------------------

PIPOT = {
    "record": "pipot_case",
    "ref": "T1",
    "concern": "C1",
    "enquiry": "E1",
    "employer": HOME,
    "subject_name": "J. Smith",
    "subject_role": "Night carer",
    "subject_kind": "agency",
    "allegation": "Rough handling during personal care",
    "opened_on": "2024-06-05",
    "employer_notified_on": "2024-06-06",
    "employer_actions": "Suspended pending investigation",
    "status": "closed",
    "outcome": "substantiated",
    "outcome_on": "2024-08-01",
    "closed_at": "2024-08-02T11:00:00+00:00",
    "referrals": [
        {
            "kind": "dbs",
            "referred_on": "2024-08-03",
            "outcome": "Barred",
            "outcome_on": "2024-10-01",
        }
    ],
}


def test_a_pipot_case_round_trips_with_its_referrals(tmp_path):
    from enquiries.models import PipotCase

    text = jsonl(PERSON, CONCERN, ENQUIRY, PIPOT)
    report = import_cases(io.StringIO(text))
    assert report.ok, report.errors
    case = PipotCase.objects.get()
    assert case.enquiry.source_ref == "E1" and case.employer.name == HOME["name"]
    assert case.referrals.get().outcome == "Barred"
    assert case.named_workers.count() == 0  # seen by safeguarding leads only
    again = import_cases(io.StringIO(text))
    assert again.ok and again.unchanged["pipot_case"] == 1
    assert again.unchanged["referrals"] == 1
    first = export_to(tmp_path, "first.jsonl")
    exported = json.loads(first.read_text().splitlines()[-1])
    assert exported["subject_name"] == "J. Smith" and "subject_person" not in exported
    assert published("pipot_case").is_valid(exported)
    empty_the_database()
    assert import_cases(first).ok
    assert export_to(tmp_path, "second.jsonl").read_bytes() == first.read_bytes()


def test_a_pipot_case_breaking_its_rules_stops_the_import():
    from enquiries.models import PipotCase

    bad = {
        **PIPOT,
        "subject_kind": "contractor",
        "outcome": None,
        "outcome_on": "2024-06-01",
        "referrals": [
            {"kind": "police", "referred_on": "2024-07-01", "outcome": "NFA"}
        ],
    }
    report = import_cases(io.StringIO(jsonl(PERSON, CONCERN, ENQUIRY, bad)))
    assert report.errors == [
        "line 4: subject_kind: unknown code 'contractor' (expected one of: "
        "agency, paid, student, volunteer)",
        "line 4: outcome: is required when the case is closed",
        "line 4: outcome_on: must be on or after opened_on",
    ]
    report = import_cases(
        io.StringIO(
            jsonl(PERSON, CONCERN, ENQUIRY, {**PIPOT, "referrals": bad["referrals"]})
        )
    )
    assert report.errors == [
        "pipot_case T1: referrals[0].outcome_on: Enter the date of the referral's "
        "outcome"
    ]
    assert PipotCase.objects.count() == 0 and Person.objects.count() == 0
