"""JSON Schemas (draft 2020-12) of the interchange format, one per record type.

The schemas are built here from the same code lists the import checks, and
published as files in ``docs/interchange/schemas/`` (written by
``python manage.py interchange_schemas``; a test fails if the files and this
module disagree). The import validates every line against the published
file of its record type, so what a council's own tools check with those
files is what this system accepts.

The schemas describe the shape of each record: which fields there are, their
types, code lists, the date format and which are required. Rules between
fields (a conclusion not before the start, a reason required with a refusal,
a reference that must resolve) are checked by the import itself
(``enquiries.interchange``). Unknown fields are allowed, as the contract
asks: they are ignored and listed in the import report.

Adding a record type: a builder below, an entry in :func:`build_schemas`,
then ``manage.py interchange_schemas`` to publish its file.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from enquiries import codes, interchange_lists
from enquiries.models import (
    Concern,
    Document,
    Enquiry,
    InformationShare,
    Meeting,
    OrganisationalEnquiry,
    PipotCase,
    SafeguardingAdultsReview,
)
from enquiries.models import partners as partner_models
from enquiries.models.voice import ConsentDecision

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://msp.example/interchange/v2/"
FORMAT_VERSIONS = (1, 2)


def schema_folder() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "interchange" / "schemas"


# -- building blocks ---------------------------------------------------------


def _nullable(schema: dict) -> dict:
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _code(values, *, null: bool = True) -> dict:
    schema = {"enum": sorted(str(v) for v in values)}
    return _nullable(schema) if null else schema


def _text(*, null: bool = True, max_length: int = 0, required: bool = False) -> dict:
    schema: dict[str, Any] = {"type": "string"}
    if required:
        schema["minLength"] = 1
    if max_length:
        schema["maxLength"] = max_length
    return _nullable(schema) if null else schema


def _date(*, null: bool = True) -> dict:
    schema = {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}-\d{2}$",
        "format": "date",
    }
    return _nullable(schema) if null else schema


def _moment() -> dict:
    return _nullable(
        {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}", "format": "date-time"}
    )


def _boolean(*, null: bool = True) -> dict:
    return {"type": ["boolean", "null"]} if null else {"type": "boolean"}


def _ref(*, null: bool = False) -> dict:
    return _text(null=null, max_length=100, required=True)


def _list(items: dict) -> dict:
    return {"type": ["array", "null"], "items": items}


def _object(properties: dict, required: tuple[str, ...] = ()) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _record(kind: str, title: str, properties: dict, required=()) -> dict:
    schema = {
        "$schema": DRAFT,
        "$id": f"{BASE_ID}{kind}.schema.json",
        "title": title,
        **_object({"record": {"const": kind}, **properties}, ("record", *required)),
    }
    if "views" in properties:
        schema["$defs"] = {"view": _view()}
    return schema


def _organisation() -> dict:
    from enquiries.models import Organisation

    return _object(
        {
            "name": _text(null=False, max_length=200, required=True),
            "postcode": _text(max_length=10),
            "kind": _code(Organisation.Kind.values),
        },
        ("name",),
    )


def _view() -> dict:
    """One entry of the adult's views; (version 2) ``replaces`` is the entry
    it corrected, itself a view, with ``correction_reason`` saying why."""
    return _nullable(
        _object(
            {
                "stage": _code(codes.Stage.values, null=False),
                "source": _code(codes.ViewSource.values, null=False),
                "text": _text(),
                "own_words": _boolean(),
                "not_obtained_reason": _code(codes.ViewNotObtainedReason.values),
                "given_on": _date(),
                "recorded_at": _moment(),
                "correction_reason": _text(max_length=255),
                "replaces": {"$ref": "#/$defs/view"},
            },
            ("stage", "source"),
        )
    )


def _views() -> dict:
    return _list({"$ref": "#/$defs/view"})


def _consents() -> dict:
    return _list(
        _object(
            {
                "question": _code(ConsentDecision.Question.values, null=False),
                "answer": _code(ConsentDecision.Answer.values, null=False),
                "agency": _text(),
                "not_asked_reason": _text(),
                "overridden": _boolean(),
                "override_grounds": _list(
                    _code(ConsentDecision.OverrideGround.values, null=False)
                ),
                "override_reason": _text(),
                "adult_informed_of_override": _boolean(),
                "decided_on": _date(),
                "recorded_at": _moment(),
            },
            ("question", "answer"),
        )
    )


def _agencies(with_concern: bool = False) -> dict:
    """Involved agencies; ``with_concern``: as a large-scale meeting names
    them, each with the ref of the concern it is involved in."""
    concern = {"concern": _text(null=False, required=True)} if with_concern else {}
    return _list(
        _object(
            {
                **concern,
                "organisation": _organisation(),
                "role": _code(partner_models.InvolvedAgency.Role.values, null=False),
                "role_detail": _text(),
                "named_contact": _text(),
                "contact_job_title": _text(),
                "contact_details": _text(),
                "involved_from": _date(),
            },
            ("concern", "organisation", "role")
            if with_concern
            else ("organisation", "role"),
        )
    )


def _history(parent: str) -> dict:
    """The history lists a person or an enquiry record carries
    (``interchange_lists``), each an array of items."""
    found = {}
    for spec in interchange_lists.lists_of(parent):
        properties: dict[str, Any] = {}
        required = []
        for item in spec.items:
            if item.kind == "code":
                schema = _code(spec.choices(item), null=not item.required)
            elif item.kind == "date":
                schema = _date(null=not item.required)
            elif item.kind == "moment":
                schema = _moment()
            elif item.kind == "bool":
                schema = _boolean(null=not item.required)
            elif item.kind == "money":
                schema = {
                    "type": "string" if item.required else ["string", "null"],
                    "pattern": r"^\d{1,10}(\.\d{1,2})?$",
                    "description": "pounds, written like 1234.50",
                }
            else:
                length = getattr(spec.model_field(item), "max_length", None) or 0
                schema = _text(
                    null=not item.required, max_length=length, required=item.required
                )
            properties[item.name] = schema
            if item.required:
                required.append(item.name)
        if spec.agencies:
            properties["agencies"] = _agencies(with_concern=True)
        properties["recorded_at"] = _moment()
        found[spec.name] = {
            "description": spec.title,
            **_list(_object(properties, tuple(required))),
        }
    return found


# -- the record types --------------------------------------------------------


def _header() -> dict:
    schema = _record(
        "header",
        "Interchange file header (version 2; optional, first line only)",
        {
            "format": {"const": "interchange"},
            "version": {"type": "integer", "enum": list(FORMAT_VERSIONS)},
        },
        ("version",),
    )
    return schema


def _person() -> dict:
    return _record(
        "person",
        "The adult at risk",
        {
            "ref": _ref(),
            "given_name": _text(null=False, max_length=100, required=True),
            "family_name": _text(null=False, max_length=100, required=True),
            "date_of_birth": _date(),
            "date_of_death": _date(),
            "gender": _code(codes.Gender.values),
            "gender_identity": _text(max_length=200),
            "ethnicity": _code(codes.Ethnicity.values),
            "primary_support_reason": _code(codes.SupportReason.values),
            "health_conditions": _list({"type": "string", "minLength": 1}),
            "nhs_number": _text(max_length=12),
            **_history("person"),
        },
        ("ref", "given_name", "family_name"),
    )


def _concern() -> dict:
    return _record(
        "concern",
        "A safeguarding concern",
        {
            "ref": _ref(),
            "person": _ref(),
            "received_on": _date(null=False),
            "decided_on": _date(),
            "in_our_area": _boolean(),
            "referrer_type": _code(Concern.ReferrerType.values),
            "summary": _text(),
            "views": _views(),
            "consent_decisions": _consents(),
            "involved_agencies": _agencies(),
        },
        ("ref", "person", "received_on"),
    )


def _enquiry() -> dict:
    whole_days = {"type": ["integer", "null"], "minimum": 1, "maximum": 365}
    request = _object(
        {
            "organisation": _organisation(),
            "scope": _text(null=False, required=True),
            "requested_on": _date(null=False),
            "working_days": whole_days,
            "due_on": _date(null=False),
            "report_received_on": _date(),
            "response_summary": _text(),
            "council_satisfied": _boolean(),
            "chased_on": _date(),
            "chase_count": {"type": "integer", "minimum": 0},
            "closed_on": _date(),
            "close_note": _text(),
            "open_at_closure_reason": _text(),
        },
        ("organisation", "scope", "requested_on", "due_on"),
    )
    return _record(
        "enquiry",
        "A safeguarding enquiry (Section 42 or other)",
        {
            "ref": _ref(),
            "concern": _ref(),
            "kind": _code(Enquiry.Kind.values, null=False),
            "kind_at_start": _code(Enquiry.Kind.values),
            "started_on": _date(null=False),
            "findings_on": _date(),
            "outcome_on": _date(),
            "concluded_on": _date(),
            "risks": _list(
                _object(
                    {
                        "type": _code(codes.RiskType.values),
                        "location": _code(codes.RiskLocation.values),
                        "source": _code(codes.RiskSource.values),
                        # Optional (issue 19): the place, when not the adult's
                        # own home; the postcode is checked on import.
                        "place_postcode": _text(max_length=12),
                        "place_name": _text(max_length=200),
                        # Optional: the organisation alleged to have caused
                        # it (a large-scale enquiry's provider).
                        "organisation": _nullable(_organisation()),
                    }
                )
            ),
            "risk_assessment_outcome": _code(codes.RiskOutcome.values),
            "risk_result": _code(codes.RiskResult.values),
            "lacked_capacity": _code(codes.YesNoDontKnow.values),
            "capacity_support": _boolean(),
            "asked_desired_outcomes": _code(codes.YesNoDontKnow.values),
            "desired_outcomes": _list(
                _object(
                    {
                        "text": _text(null=False, required=True),
                        "achieved": _code(codes.Achieved.values),
                        "evaluated_on": _date(),
                        "recorded_at": _moment(),
                        "status": _code(["active", "revised"]),
                        "revision_reason": _text(max_length=255),
                    },
                    ("text",),
                )
            ),
            "outcomes_achieved": _code(codes.Achieved.values),
            "views": _views(),
            "consent_decisions": _consents(),
            "involved_agencies": _agencies(),
            "partner_requests": _list(request),
            **_history("enquiry"),
        },
        ("ref", "concern", "kind", "started_on"),
    )


def _sar() -> dict:
    return _record(
        "sar",
        "A Safeguarding Adults Review",
        {
            "ref": _ref(),
            "title": _text(max_length=200),
            "commissioned_on": _date(),
            "completed_on": _date(),
            "individuals": _list(
                _object({"person": _text(), "died": {"type": "boolean"}}, ("died",))
            ),
            # The process around the register (version 2).
            "referred_on": _date(),
            "referred_by": _text(max_length=200),
            "referral_reason": _text(),
            "referred_from_enquiry": _ref(null=True),
            "decision": _code(SafeguardingAdultsReview.Decision.values),
            "decided_on": _date(),
            "decision_reasons": _text(),
            "reviewer": _text(max_length=200),
            **_history("sar"),
        },
        ("ref",),
    )


def _organisational() -> dict:
    return _record(
        "organisational_enquiry",
        "A large-scale (organisational) enquiry about a provider",
        {
            "ref": _ref(),
            "organisation": _organisation(),
            "trigger": _text(null=False, required=True),
            "started_on": _date(null=False),
            "status": _code(OrganisationalEnquiry.Status.values),
            "placements_embargoed": _boolean(),
            "provider_actions": _text(),
            "provider_contact": _text(),
            "provider_contacted_on": _date(),
            "regulator_contact": _text(),
            "regulator_contacted_on": _date(),
            "concluded_on": _date(),
            "findings_summary": _text(),
            "closed_on": _date(),
            "enquiries": {
                "description": "The refs of the adults' enquiries linked to it",
                **_list(_text(null=False, max_length=100, required=True)),
            },
            **_history("organisational_enquiry"),
        },
        ("ref", "organisation", "trigger", "started_on"),
    )


def _pipot() -> dict:
    return _record(
        "pipot_case",
        "A case about a person in a position of trust (minimum data)",
        {
            "ref": _ref(),
            "concern": _ref(),
            "enquiry": _ref(null=True),
            "employer": _organisation(),
            "subject_name": _text(null=False, max_length=200, required=True),
            "subject_role": _text(null=False, max_length=200, required=True),
            "subject_kind": _code(PipotCase.SubjectKind.values, null=False),
            "allegation": _text(null=False, required=True),
            "opened_on": _date(null=False),
            "employer_notified_on": _date(),
            "employer_actions": _text(),
            "status": _code(PipotCase.Status.values),
            "outcome": _code(PipotCase.Outcome.values),
            "outcome_on": _date(),
            "outcome_notes": _text(),
            "closed_at": _moment(),
            **_history("pipot_case"),
        },
        (
            "ref",
            "concern",
            "employer",
            "subject_name",
            "subject_role",
            "subject_kind",
            "allegation",
            "opened_on",
        ),
    )


def _share() -> dict:
    override = InformationShare._meta.get_field("override_ground").choices
    return _record(
        "information_share",
        "One share of information about the adult, in or out",
        {
            "ref": _ref(),
            "concern": _ref(),
            "enquiry": _ref(null=True),
            "direction": _code(InformationShare.Direction.values, null=False),
            "shared_on": _date(null=False),
            "organisation": _organisation(),
            "what": _text(null=False, required=True),
            "why": _text(null=False, required=True),
            "lawful_basis": _code(InformationShare.LawfulBasis.values, null=False),
            "article6": _code(InformationShare.Article6.values, null=False),
            "special_condition": _code(
                InformationShare.SpecialCondition.values, null=False
            ),
            "consent": _code(InformationShare.Consent.values, null=False),
            "override_ground": _code([code for code, _ in override]),
            "not_asked_reason": _text(),
            "adult_told": _code(InformationShare.Told.values, null=False),
            "adult_told_reason": _text(),
            "s45_request": _ref(null=True),
            "consent_decision": _nullable(
                _object(
                    {
                        "question": _code(ConsentDecision.Question.values, null=False),
                        "decided_on": _date(),
                        "recorded_at": _moment(),
                    },
                    ("question",),
                )
            ),
        },
        (
            "ref",
            "concern",
            "direction",
            "shared_on",
            "organisation",
            "what",
            "why",
            "lawful_basis",
            "article6",
            "special_condition",
            "consent",
            "adult_told",
        ),
    )


def _s45() -> dict:
    return _record(
        "s45_request",
        "A Care Act section 45 request, made or received",
        {
            "ref": _ref(),
            "concern": _ref(),
            "enquiry": _ref(null=True),
            "direction": _code(partner_models.S45Request.Direction.values, null=False),
            "organisation": _organisation(),
            "requested_on": _date(null=False),
            "due_on": _date(null=False),
            "what_requested": _text(null=False, required=True),
            "decision": _code(partner_models.S45Request.Decision.values),
            "decided_on": _date(),
            "decision_reason": _text(),
        },
        (
            "ref",
            "concern",
            "direction",
            "organisation",
            "requested_on",
            "due_on",
            "what_requested",
        ),
    )


def _document() -> dict:
    return _record(
        "document",
        "A document held with the adult's case (version 2); its file is in the "
        "folder beside the JSON Lines file, named by its sha256",
        {
            "ref": _ref(),
            "person": _ref(),
            "concern": _ref(null=True),
            "enquiry": _ref(null=True),
            "meeting": _nullable(
                _object(
                    {
                        "kind": _code(Meeting.Kind.values, null=False),
                        "held_on": _date(null=False),
                    },
                    ("kind", "held_on"),
                )
            ),
            "title": _text(null=False, max_length=200, required=True),
            "kind": _text(null=False, max_length=40, required=True),
            "kind_name": _text(max_length=100),
            "document_date": _date(null=False),
            "provided_by": _text(null=False, max_length=200, required=True),
            "sensitivity": _code(Document.Sharing.values, null=False),
            "sensitivity_reason": _text(),
            "adults_own": _boolean(null=False),
            "original_name": _text(max_length=255),
            "content_type": _text(null=False, max_length=100, required=True),
            "size": {"type": "integer", "minimum": 0},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "uploaded_at": _moment(),
            "withdrawn_at": _moment(),
            "withdrawn_reason": _text(),
        },
        (
            "ref",
            "person",
            "title",
            "kind",
            "document_date",
            "provided_by",
            "sensitivity",
            "content_type",
            "size",
            "sha256",
        ),
    )


def build_schemas() -> dict[str, dict]:
    """Record type -> its schema, in the order the file writes them."""
    return {
        "header": _header(),
        "person": _person(),
        "concern": _concern(),
        "enquiry": _enquiry(),
        "sar": _sar(),
        "organisational_enquiry": _organisational(),
        "pipot_case": _pipot(),
        "s45_request": _s45(),
        "information_share": _share(),
        "document": _document(),
    }


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path | None = None) -> list[Path]:
    folder = folder or schema_folder()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in build_schemas().items():
        path = folder / f"{kind}.schema.json"
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


@cache
def validators() -> dict[str, Any]:
    """Record type -> a validator of the published schema file."""
    from jsonschema import Draft202012Validator

    found = {}
    for path in sorted(schema_folder().glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        found[path.name.removesuffix(".schema.json")] = Draft202012Validator(schema)
    missing = sorted(set(build_schemas()) - set(found))
    if missing:
        # Never import unchecked: a deployment without the published files
        # is a fault to fix, not a reason to skip the check.
        raise ImproperlyConfigured(
            f"Interchange schemas missing from {schema_folder()}: "
            + ", ".join(missing)
            + " (run manage.py interchange_schemas)"
        )
    return found


def _where(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _message(error) -> list[tuple[str, str]]:
    """(field, message) pairs for one schema error, in the import's words."""
    where = _where(error.absolute_path)
    value = error.instance
    kind = error.validator
    if kind == "required":
        missing = [n for n in error.validator_value if n not in (value or {})]
        prefix = f"{where}." if where else ""
        return [(f"{prefix}{name}", "is required") for name in missing]
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value if v is not None)
        return [(where, f"unknown code {value!r} (expected one of: {allowed})")]
    if kind == "const":
        return [(where, f"must be {error.validator_value!r}")]
    if kind == "pattern" and error.schema.get("format") == "date":
        return [(where, f"must be a date written YYYY-MM-DD, got {value!r}")]
    if kind == "pattern" and error.schema.get("format") == "date-time":
        return [(where, f"must be a date and time with its offset, got {value!r}")]
    if kind == "pattern" and "pounds" in error.schema.get("description", ""):
        return [(where, f"must be an amount in pounds like 1234.50, got {value!r}")]
    if kind == "type":
        wanted = error.validator_value
        names = {
            "string": "a string",
            "array": "a list",
            "object": "an object",
            "boolean": "true or false",
            "integer": "a whole number",
            "null": "null",
        }
        wanted = [wanted] if isinstance(wanted, str) else wanted
        return [(where, "must be " + " or ".join(names.get(w, w) for w in wanted))]
    if kind == "maxLength":
        return [(where, f"must be {error.validator_value} characters or fewer")]
    if kind == "minLength":
        return [(where, "is required")]
    if kind in ("minimum", "maximum"):
        return [(where, f"is out of range ({error.message})")]
    return [(where, error.message)]


_QUICK: list[tuple[dict, dict]] = []  # (the validators, their compiled checks)


def quick_checks() -> dict[str, Any]:
    """Record type -> the published schema compiled to Python code
    (``fastjsonschema``): about 20 times faster than ``validators()``, but it
    stops at the first problem with its own wording. It uses no defaults and
    no formats (the schemas' patterns do that work), and every keyword the
    schemas use means the same in its draft as in 2020-12, so it passes
    exactly the records the reference validator passes (a test holds it)."""
    import fastjsonschema

    found = validators()  # refuses to run without the published files
    if not _QUICK or _QUICK[0][0] is not found:
        _QUICK[:] = [
            (
                found,
                {
                    kind: fastjsonschema.compile(
                        validator.schema, use_default=False, use_formats=False
                    )
                    for kind, validator in found.items()
                },
            )
        ]
    return _QUICK[0][1]


def problems(kind: str, record: dict) -> list[tuple[str, str]]:
    """(field, message) for every way ``record`` breaks its type's schema.

    Most lines of a file are valid: the compiled check says so at a
    twentieth of the cost (at 1M concerns, minutes of an import); only a
    line it refuses goes through the reference validator for every problem
    in our words."""
    import fastjsonschema

    quick = quick_checks().get(kind)
    if quick is None:
        return []
    try:
        quick(record)
    except fastjsonschema.JsonSchemaException:
        pass
    else:
        return []
    validator = validators()[kind]
    found: list[tuple[str, str]] = []
    for error in validator.iter_errors(record):
        found.extend(_message(error))
    return found
