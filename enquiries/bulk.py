"""A large synthetic caseload, fast: for demos at scale and for benchmarks.

``seed_demo --people N`` uses this for everything beyond the hand-made demo
caseload. Rows are built in memory in batches and written with
``bulk_create`` (no per-row saves, no signals), so 200,000 people and
1,000,000 concerns load on PostgreSQL in minutes with flat memory.

Proportions follow spec/sac.md section 5: about 29% of concerns lead to a
section 42 enquiry and 1.5% to another enquiry; neglect is about a third of
risks and the adult's own home about 45% of locations; 60% of adults are
women and 63% are 65 or over. Outcome figures marked [U] in the spec
(asked about outcomes ~80%, achievement, risk result, capacity) are planning
placeholders for synthetic data only, never reported as real figures.
Every name is made up.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import random
import uuid
from collections.abc import Callable, Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from enquiries import codes, signals
from enquiries.models import (
    CaseNote,
    ChronologyEvent,
    Concern,
    DesiredOutcome,
    Document,
    DocumentKind,
    Enquiry,
    Meeting,
    Person,
    PersonNameWord,
    PersonView,
    PlanAction,
    Risk,
    adult_on,
)
from enquiries.models.people import name_word_rows

GIVEN = [
    "Olive",
    "Arthur",
    "Margaret",
    "George",
    "Doris",
    "Harold",
    "Joan",
    "Frank",
    "Aisha",
    "Mohammed",
    "Priya",
    "Tomasz",
    "Grace",
    "Samuel",
    "Irene",
    "Winston",
    "Patricia",
    "Leon",
    "Nadia",
    "Brian",
    "Eileen",
    "Kwame",
    "Siobhan",
    "Raj",
]
FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Evans",
    "Thomas",
    "Khan",
    "Patel",
    "Begum",
    "Nowak",
    "Okoye",
    "Campbell",
    "Murphy",
    "Hughes",
    "Ali",
    "Walker",
    "Edwards",
    "Clarke",
    "Mensah",
    "Kaur",
    "Wright",
    "Green",
]
OUTCOME_WORDS = [
    "I want to feel safe in my own home.",
    "I want my money back.",
    "I want to keep seeing my grandson, but not to give him money.",
    "I don't want to move out of my flat.",
    "I want the carers to come on time and treat me with respect.",
    "I want it to stop, and for it not to happen to anyone else.",
    "I want the police to deal with him.",
]


_CUMULATIVE: dict[int, tuple[tuple[str, ...], list[float]]] = {}


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    table = _CUMULATIVE.get(id(pairs))
    if table is None:
        values, weights = zip(*pairs, strict=True)
        table = (values, list(itertools.accumulate(weights)))
        _CUMULATIVE[id(pairs)] = table
    return rng.choices(table[0], cum_weights=table[1], k=1)[0]


RISK_TYPES = [
    ("neglect_omission", 32),
    ("physical", 19),
    ("psychological", 14),
    ("financial_material", 14),
    ("self_neglect", 8),
    ("domestic", 6),
    ("organisational", 3),
    ("sexual", 2.5),
    ("discriminatory", 0.5),
    ("sexual_exploitation", 0.5),
    ("modern_slavery", 0.5),
]
LOCATIONS = [
    ("own_home", 46),
    ("care_home_residential", 20),
    ("care_home_nursing", 9),
    ("community", 7),
    ("hospital_acute", 5),
    ("community_service", 4),
    ("hospital_mental_health", 3),
    ("hospital_community", 2),
    ("other", 4),
]
SOURCES = [("known", 55), ("service_provider", 38), ("unknown", 7)]
OUTCOMES = [
    ("risk_identified_action", 55),
    ("risk_identified_no_action", 3),
    ("inconclusive_action", 10),
    ("inconclusive_no_action", 4),
    ("no_risk_action", 8),
    ("no_risk_no_action", 10),
    ("ceased_at_request", 10),
]
ETHNICITIES = [
    ("white_british", 78),
    ("white_other", 4),
    ("white_irish", 1),
    ("asian_indian", 3),
    ("asian_pakistani", 2.5),
    ("asian_bangladeshi", 1),
    ("black_african", 2),
    ("black_caribbean", 2),
    ("mixed_other", 1),
    ("other_any", 1),
    ("not_known", 4),
    ("refused", 0.5),
]
SUPPORT = [
    ("physical_personal_care", 35),
    ("physical_access_mobility", 8),
    ("memory_cognition", 14),
    ("learning_disability", 12),
    ("mental_health", 14),
    ("sensory_visual", 1),
    ("sensory_hearing", 1),
    ("social_isolation_other", 4),
    ("social_substance_misuse", 2),
    ("no_support_reason", 3),
    ("not_known", 6),
]


def create_bulk_caseload(
    *,
    people: int,
    teams: Sequence,
    workers: Sequence,
    years: int = 10,
    concerns_per_person: float = 5.0,
    seed: int = 1,
    batch_people: int = 2000,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Create ``people`` adults and about ``concerns_per_person`` concerns each.

    Concerns are spread over the last ``years`` years. Rows are generated as
    plain tuples with their ids allocated up front, then written with
    PostgreSQL's COPY (or ``bulk_create`` on SQLite). Returns the number of
    rows created per kind.
    """
    rng = random.Random(seed)
    writer = _RowWriter()
    report = progress or (lambda message: None)
    # First everyone, with the days their concerns will arrive ...
    arrivals: list[tuple[datetime.date, int, int, datetime.date | None]] = []
    done = 0
    while done < people:
        size = min(batch_people, people - done)
        with transaction.atomic():
            arrivals += _create_people(
                rng, writer, size, teams, years * 365, concerns_per_person
            )
        done += size
        report(f"{done:,} of {people:,} people")
    # ... then the concerns in the order a live system receives them, so ids
    # and the rows on disk follow time as they would in production (a year's
    # concerns and enquiries sit together, not spread over ten years of rows).
    arrivals.sort()
    batch_concerns = batch_people * 5
    for first in range(0, len(arrivals), batch_concerns):
        with transaction.atomic():
            _create_cases(
                rng, writer, arrivals[first : first + batch_concerns], workers
            )
            # Written past save(): what other apps keep from them follows.
            signals.case_records_loaded.send(
                sender=Enquiry,
                enquiry_ids=writer.take_ids(Enquiry),
                concern_ids=writer.take_ids(Concern),
            )
        report(f"{writer.counts['concerns']:,} of {len(arrivals):,} concerns")
    writer.finish()
    return writer.counts


class _RowWriter:
    """Writes dict rows for a model: COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = dict.fromkeys(
            [
                "people",
                "name words",
                "concerns",
                "enquiries",
                "risks",
                "views",
                "outcomes",
                "events",
                "case notes",
                "meetings",
                "plan actions",
                "documents",
            ],
            0,
        )
        self.next_ids: dict[type[models.Model], int] = {}
        self.written_ids: dict[type[models.Model], list[int]] = {}
        self.now = timezone.now()

    def take_ids(self, model: type[models.Model]) -> list[int]:
        """The ids of ``model`` rows written since the last call."""
        return self.written_ids.pop(model, [])

    def allocate(self, model: type[models.Model], n: int) -> range:
        if model not in self.next_ids:
            last = (
                model._base_manager.order_by("-pk").values_list("pk", flat=True).first()
            )
            self.next_ids[model] = (last or 0) + 1
        first = self.next_ids[model]
        self.next_ids[model] = first + n
        return range(first, first + n)

    def write(self, model: type[models.Model], rows: list[dict], count_as: str) -> None:
        if not rows:
            return
        fields = list(model._meta.concrete_fields)
        if "id" not in rows[0]:  # let the database number them
            fields = [f for f in fields if not f.primary_key]
        defaults = {}
        for field in fields:
            if isinstance(field, models.DateTimeField) and (
                field.auto_now or field.auto_now_add
            ):
                defaults[field.attname] = self.now
            else:
                defaults[field.attname] = field.get_default()
        if connection.vendor == "postgresql":
            columns = ", ".join(f'"{f.column}"' for f in fields)
            json_names = {f.attname for f in fields if isinstance(f, models.JSONField)}
            uuid_names = {f.attname for f in fields if isinstance(f, models.UUIDField)}
            with connection.cursor() as cursor:
                sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        values = []
                        for field in fields:
                            name = field.attname
                            value = row.get(name, defaults[name])
                            if name in uuid_names and value is None:
                                value = uuid.uuid4()
                            if name in json_names:
                                value = json.dumps(value)
                            values.append(value)
                        copy.write_row(values)
        else:
            model._base_manager.bulk_create(
                [model(**{**defaults, **row}) for row in rows], batch_size=500
            )
        self.counts[count_as] += len(rows)
        if "id" in rows[0]:
            self.written_ids.setdefault(model, []).extend(row["id"] for row in rows)

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids we allocated."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model, next_id in self.next_ids.items():
                table = model._meta.db_table
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    [table, next_id - 1],
                )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def _create_people(
    rng, writer, size, teams, span_days, per_person
) -> list[tuple[datetime.date, int, int, datetime.date | None]]:
    """Write ``size`` people; return (day received, person id, team id, date
    of birth) for each of the concerns they will have."""
    today = datetime.date.today()
    team_ids = [team.pk for team in teams]
    person_ids = writer.allocate(Person, size)
    people = []
    for person_id in person_ids:
        age = int(rng.triangular(18, 102, 82))
        dob = today - datetime.timedelta(days=age * 365 + rng.randrange(365))
        people.append(
            {
                "id": person_id,
                "reference": uuid.uuid4(),
                "given_name": rng.choice(GIVEN),
                "family_name": rng.choice(FAMILY),
                "date_of_birth": dob if rng.random() > 0.02 else None,
                "gender": _weighted(rng, GENDERS),
                "ethnicity": _weighted(rng, ETHNICITIES),
                "primary_support_reason": _weighted(rng, SUPPORT),
                "health_conditions": ["autism"] if rng.random() < 0.03 else [],
                "communication_needs": [],
                "address_type": _weighted(rng, ADDRESS_TYPES),
                "team_id": rng.choice(team_ids),
            }
        )
    writer.write(Person, people, "people")
    writer.write(
        PersonNameWord,
        [
            {
                "person_id": row.person_id,
                "word": row.word,
                "family_key": row.family_key,
                "given_key": row.given_key,
            }
            for person in people
            for row in name_word_rows(
                person["id"], person["given_name"], person["family_name"]
            )
        ],
        "name words",
    )
    return [
        (
            today - datetime.timedelta(days=rng.randrange(span_days)),
            person["id"],
            person["team_id"],
            person["date_of_birth"],
        )
        for person in people
        for _ in range(max(1, int(rng.expovariate(1 / per_person))))
    ]


def _create_cases(rng, writer, arrivals, workers) -> None:
    """Concerns (received on the given days, in that order) and what follows."""
    today = datetime.date.today()
    worker_ids = [worker.pk for worker in workers]
    concerns = []
    for received, person_id, team_id, born in arrivals:
        decided = received < today - datetime.timedelta(days=10)
        concerns.append(
            {
                "reference": uuid.uuid4(),
                "person_id": person_id,
                "team_id": team_id,
                "allocated_to_id": rng.choice(worker_ids),
                "received_on": received,
                "received_via": _weighted(rng, RECEIVED_VIA),
                "referrer_type": _weighted(rng, REFERRERS),
                "summary": "Synthetic concern for load and scale testing.",
                "in_our_area": rng.random() > 0.01,
                # The derived flags that save() would set (COPY skips it).
                "adult_on_receipt": adult_on(born, received),
                "adult_aware": _weighted(rng, AWARE),
                "status": Concern.Status.DECIDED
                if decided
                else Concern.Status.RECEIVED,
                "created_at": _at(received, 9),
            }
        )
    for concern, concern_id in zip(
        concerns, writer.allocate(Concern, len(concerns)), strict=True
    ):
        concern["id"] = concern_id

    enquiries = []
    for concern in concerns:
        roll = rng.random()
        if concern["status"] != Concern.Status.DECIDED:
            continue
        if roll > 0.305:
            concern.update(
                decision=Concern.Decision.NO_ENQUIRY,
                other_pathway=Concern.OtherPathway.INFORMATION_ADVICE,
                criterion_care_needs="yes",
                criterion_abuse="no",
                criterion_unable_to_protect="dont_know",
                decision_reason="No abuse or neglect found; information and advice given.",
            )
            continue
        kind = "section_42" if roll < 0.29 else "other"
        # The three-part test as judged: all three met for a section 42 enquiry.
        concern.update(
            decision=kind if kind == "section_42" else "other_enquiry",
            criterion_care_needs="yes",
            criterion_abuse="yes",
            criterion_unable_to_protect="yes" if kind == "section_42" else "no",
            decision_reason="Synthetic decision.",
        )
        started = concern["received_on"] + datetime.timedelta(days=rng.randrange(1, 6))
        concluded = started + datetime.timedelta(days=int(rng.triangular(5, 180, 35)))
        enquiry = {
            "reference": uuid.uuid4(),
            "concern_id": concern["id"],
            "person_id": concern["person_id"],
            "kind": kind,
            "kind_at_start": kind,
            "team_id": concern["team_id"],
            "allocated_to_id": concern["allocated_to_id"],
            "started_on": started,
            "status": "in_progress",
            "created_at": _at(started, 9),
        }
        if concluded < today:
            outcome = _weighted(rng, OUTCOMES)
            capacity = _weighted(rng, CAPACITY)
            enquiry.update(
                status="closed",
                concluded_on=concluded,
                risk_assessment_outcome=outcome,
                risk_result=(
                    _weighted(rng, RESULTS)
                    if outcome in codes.RiskOutcome.risk_identified()
                    else ""
                ),
                lacked_capacity=capacity,
                capacity_support=(rng.random() < 0.85) if capacity == "yes" else None,
                asked_desired_outcomes=_weighted(rng, ASKED),
                closure_reason="risk_managed",
                adult_view_on_closure=_weighted(rng, CLOSURE_VIEWS),
            )
        else:
            enquiry["status"] = rng.choice(OPEN_STATUSES)
        enquiries.append(enquiry)
    writer.write(Concern, concerns, "concerns")
    for enquiry, enquiry_id in zip(
        enquiries, writer.allocate(Enquiry, len(enquiries)), strict=True
    ):
        enquiry["id"] = enquiry_id

    risks, outcomes, views, events = [], [], [], []
    for enquiry in enquiries:
        for _ in range(1 if rng.random() < 0.7 else 2):
            risks.append(
                {
                    "concern_id": enquiry["concern_id"],
                    "enquiry_id": enquiry["id"],
                    "risk_type": _weighted(rng, RISK_TYPES),
                    "location": _weighted(rng, LOCATIONS),
                    "source": _weighted(rng, SOURCES),
                }
            )
        views.append(
            {
                "person_id": enquiry["person_id"],
                "concern_id": enquiry["concern_id"],
                "enquiry_id": enquiry["id"],
                "stage": codes.Stage.ENQUIRY,
                "source": "adult",
                "method": "face_to_face",
                "views_text": "I want things to be better.",
                "own_words": True,
                "recorded_at": enquiry["created_at"],
            }
        )
        if enquiry.get("asked_desired_outcomes") == "yes" and rng.random() < 0.9:
            achieved = _weighted(rng, ACHIEVED)
            enquiry["outcomes_achieved"] = achieved
            enquiry["outcomes_expressed"] = True
            # Recorded from the adult (the model's default "expressed by").
            enquiry["outcomes_from_adult_recorded"] = True
            outcomes.append(
                {
                    "person_id": enquiry["person_id"],
                    "concern_id": enquiry["concern_id"],
                    "enquiry_id": enquiry["id"],
                    "stage": codes.Stage.CONCERN,
                    "text": rng.choice(OUTCOME_WORDS),
                    "achieved": achieved,
                    "recorded_at": enquiry["created_at"],
                }
            )
        events.append(
            {
                "person_id": enquiry["person_id"],
                "occurred_at": _at(enquiry["started_on"], 11),
                "kind": ChronologyEvent.Kind.ENQUIRY,
                "summary": f"{Enquiry.Kind(enquiry['kind']).label} started",
                "link": reverse(
                    "enquiries:enquiry_detail", args=[enquiry["reference"]]
                ),
            }
        )
    for concern in concerns:
        events.append(
            {
                "person_id": concern["person_id"],
                "occurred_at": _at(concern["received_on"], 10),
                "kind": ChronologyEvent.Kind.CONCERN,
                "summary": "Concern received",
                "link": reverse(
                    "enquiries:concern_detail", args=[concern["reference"]]
                ),
            }
        )
    notes, meetings, actions, documents = _case_history(rng, enquiries)
    for enquiry in enquiries:
        del enquiry["person_id"]
    writer.write(Enquiry, enquiries, "enquiries")
    writer.write(Risk, risks, "risks")
    writer.write(PersonView, views, "views")
    writer.write(DesiredOutcome, outcomes, "outcomes")
    writer.write(ChronologyEvent, events, "events")
    writer.write(CaseNote, notes, "case notes")
    writer.write(Meeting, meetings, "meetings")
    writer.write(PlanAction, actions, "plan actions")
    writer.write(Document, documents, "documents")


# A synthetic PDF: a document's content is checked from its bytes on import.
# Each one is different and of the size of a scanned letter (20-120 KB), so an
# export copies as many files, and as many bytes, as a council's would.
PDF_SIZES = (20_000, 120_000)


def synthetic_pdf(rng) -> bytes:
    body = rng.randbytes(rng.randint(*PDF_SIZES))
    return (
        b"%PDF-1.4\n%synthetic letter for load and scale testing\n"
        + body
        + b"\n%%EOF\n"
    )


def _case_history(rng, enquiries) -> tuple[list, list, list, list]:
    """The case's own history (interchange version 2 content): a case note
    and a strategy discussion on every enquiry, a plan action on most, and
    a document (a small PDF, stored) on one in twenty."""
    today = datetime.date.today()
    notes, meetings, actions, documents = [], [], [], []
    kind_id = DocumentKind.objects.order_by("pk").values_list("pk", flat=True).first()
    storage = storages["documents"]
    for enquiry in enquiries:
        started = enquiry["started_on"]
        held = min(started + datetime.timedelta(days=2), today)
        notes.append(
            {
                "person_id": enquiry["person_id"],
                "enquiry_id": enquiry["id"],
                "text": "Synthetic case note: visited the adult.",
                "is_final": True,
                "finalised_at": _at(held, 16),
                "created_at": _at(held, 15),
            }
        )
        meetings.append(
            {
                "enquiry_id": enquiry["id"],
                "kind": Meeting.Kind.STRATEGY_DISCUSSION,
                "held_on": held,
                "format": _weighted(rng, MEETING_FORMATS),
                "attendees": "Social worker; police; care provider",
                "adult_invited": True,
                "adult_attended": rng.random() < 0.4,
                "decisions": "Proceed with the enquiry.",
                "created_at": _at(held, 17),
            }
        )
        if rng.random() < 0.8:
            actions.append(
                {
                    "enquiry_id": enquiry["id"],
                    "description": "Review the care plan with the provider.",
                    "owner": "Care provider",
                    "due_on": started + datetime.timedelta(days=28),
                    "status": PlanAction.Status.DONE
                    if enquiry["status"] == "closed"
                    else PlanAction.Status.IN_PROGRESS,
                    "created_at": _at(held, 18),
                }
            )
        if kind_id is not None and rng.random() < 0.05:
            content = synthetic_pdf(rng)
            name = storage.save(
                f"bulk/{enquiry['reference'].hex}.pdf", ContentFile(content)
            )
            documents.append(
                {
                    "reference": uuid.uuid4(),
                    "person_id": enquiry["person_id"],
                    "concern_id": enquiry["concern_id"],
                    "enquiry_id": enquiry["id"],
                    "title": "Letter from the GP",
                    "kind_id": kind_id,
                    "document_date": started,
                    "provided_by": "GP surgery",
                    "sensitivity": "yes",
                    "original_name": "gp-letter.pdf",
                    "content_type": "application/pdf",
                    "size": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "storage_name": name,
                    "uploaded_at": _at(held, 12),
                }
            )
    return notes, meetings, actions, documents


MEETING_FORMATS = [("in_person", 50), ("video", 30), ("phone", 20)]
GENDERS = [("female", 60), ("male", 39), ("not_known", 1)]
ADDRESS_TYPES = [("own_home", 70), ("care_home", 25), ("supported_living", 5)]
RECEIVED_VIA = [("phone", 50), ("email", 25), ("online_form", 15), ("police", 10)]
REFERRERS = [
    ("care_provider", 30),
    ("health", 25),
    ("family", 15),
    ("police", 15),
    ("public", 10),
    ("self", 5),
]
AWARE = [("yes", 70), ("no", 15), ("unknown", 15)]
CAPACITY = [("no", 62), ("yes", 30), ("dont_know", 5), ("", 3)]
ASKED = [("yes", 85), ("no", 8), ("dont_know", 3), ("", 4)]
RESULTS = [("reduced", 70), ("removed", 20), ("remained", 10)]
ACHIEVED = [("fully", 65), ("partially", 28), ("not", 7)]
CLOSURE_VIEWS = [("agrees", 80), ("disagrees", 5), ("not_obtainable", 15)]
OPEN_STATUSES = ["planning", "in_progress", "outcome_recorded", "plan_active"]
