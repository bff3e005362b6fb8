"""A made-up caseload for ``seed_demo``: people, concerns and enquiries at every stage.

Everything here is invented (Faker names, made-up addresses and stories).
Records are created directly so that dates are spread over past months and
every stage is coherent: views recorded for each stage passed, risks copied
to enquiries, allocations, chronology and case notes. Concluded enquiries
carry SAC fields in roughly national proportions (sac.md section 5; the MSP
and capacity splits there are unverified planning placeholders).
"""

from __future__ import annotations

import datetime
import random

import factory.random
from django.db import transaction
from django.utils import timezone

from enquiries import chronology, codes
from enquiries.factories import OrganisationFactory, PersonFactory
from enquiries.models import (
    AdvocacyReferral,
    Allocation,
    CapacityAssessment,
    CaseNote,
    ChronologyEvent,
    Concern,
    ConsentDecision,
    DesiredOutcome,
    Enquiry,
    Meeting,
    Person,
    PersonView,
    PlanAction,
    PlanReview,
    Risk,
)

# (type, location, source, who, relationship, what happened, their words, outcome)
SCENARIOS = [
    (
        "financial_material",
        "own_home",
        "known",
        "nephew",
        "Nephew",
        "Bank flagged large cash withdrawals; the adult says her nephew takes her "
        "card to 'help with shopping'.",
        "He's family, I don't want him in trouble, but I want my money to stop going.",
        "I want my pension to be safe and to decide who helps me with money.",
    ),
    (
        "neglect_omission",
        "care_home_residential",
        "service_provider",
        "",
        "",
        "Visiting daughter found her mother in wet bedding at midday and with a "
        "pressure sore that staff had not reported.",
        "They are too busy. I ring the bell and nobody comes.",
        "I want someone to come when I ring, and my sore to heal.",
    ),
    (
        "physical",
        "own_home",
        "known",
        "husband",
        "Partner",
        "District nurse saw fingertip bruises on both upper arms; the adult was "
        "tearful and would not say how they happened.",
        "It only happens when he's been drinking. I don't want to leave my home.",
        "I want to feel safe in my own home and for him to get help with drink.",
    ),
    (
        "psychological",
        "own_home",
        "known",
        "son",
        "Son",
        "Neighbour hears shouting most evenings; the adult has stopped going to "
        "his day centre.",
        "He tells me I'm useless and that I'll end up in a home.",
        "I want to go back to the day centre and see my friends.",
    ),
    (
        "self_neglect",
        "own_home",
        "unknown",
        "",
        "",
        "Housing officer reports the flat is heavily cluttered, no heating, and "
        "the adult has refused repairs for months.",
        "It's my home and my things. I just want the heating fixed.",
        "I want my heating working and to keep my things.",
    ),
    (
        "domestic",
        "own_home",
        "known",
        "partner",
        "Partner",
        "Police attended a domestic incident; DASH risk assessment scored high.",
        "I'm frightened of what he'll do if he finds out I talked to you.",
        "I want to be safe, and I don't want him to know I spoke to anyone.",
    ),
    (
        "organisational",
        "care_home_nursing",
        "service_provider",
        "",
        "",
        "Whistleblower reports residents are routinely got up at 5am to suit the "
        "night staff rota.",
        "I'd like to sleep until I wake up, like I did at home.",
        "I want to get up when I'm ready.",
    ),
    (
        "financial_material",
        "community",
        "unknown",
        "",
        "",
        "The adult has sent over £4,000 to someone she met online who says he is "
        "working overseas.",
        "He loves me, he's going to visit when his contract ends.",
        "I want to know if he's genuine before I send any more.",
    ),
    (
        "physical",
        "hospital_acute",
        "known",
        "another patient",
        "Other patient",
        "Ward staff report another patient struck the adult during the night.",
        "I'm scared to go to sleep on that ward.",
        "I want to be moved to a bay where I feel safe.",
    ),
    (
        "sexual",
        "community_service",
        "known",
        "volunteer driver",
        "Volunteer",
        "The adult told her key worker a volunteer driver touched her "
        "inappropriately on the way to the day service.",
        "I don't want him to drive me ever again.",
        "I never want to see him again, and I want the police to know.",
    ),
]

STAGES_NORTH = (
    ["received"] * 5
    + ["gathering"] * 5
    + ["no_enquiry"] * 6
    + ["planning"] * 4
    + ["in_progress"] * 4
    + ["outcome_recorded"] * 3
    + ["plan_active"] * 3
    + ["closure_requested"] * 2
    + ["closed"] * 8
)
STAGES_SOUTH = [
    "received",
    "received",
    "gathering",
    "no_enquiry",
    "no_enquiry",
    "planning",
    "in_progress",
    "plan_active",
    "closure_requested",
    "closed",
]
ENQUIRY_STATUSES = [
    "planning",
    "in_progress",
    "outcome_recorded",
    "plan_active",
    "closure_requested",
    "closed",
]
# Views recorded for the stages an enquiry has passed through.
STAGES_PASSED = {
    "planning": [],
    "in_progress": ["planning"],
    "outcome_recorded": ["planning", "enquiry"],
    "plan_active": ["planning", "enquiry", "outcome"],
    "closure_requested": ["planning", "enquiry", "outcome", "plan"],
    "closed": ["planning", "enquiry", "outcome", "plan", "closure"],
}
DAYS_AGO = {
    "received": (0, 3),
    "gathering": (2, 8),
    "no_enquiry": (10, 90),
    "planning": (5, 15),
    "in_progress": (12, 40),
    "outcome_recorded": (25, 60),
    "plan_active": (35, 90),
    "closure_requested": (50, 120),
    "closed": (70, 330),
}
ETHNICITIES = [codes.Ethnicity.WHITE_BRITISH] * 14 + [
    codes.Ethnicity.WHITE_IRISH,
    codes.Ethnicity.WHITE_OTHER,
    codes.Ethnicity.ASIAN_PAKISTANI,
    codes.Ethnicity.ASIAN_INDIAN,
    codes.Ethnicity.BLACK_CARIBBEAN,
    codes.Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN,
    codes.Ethnicity.NOT_KNOWN,
]
SUPPORT_REASONS = [
    codes.SupportReason.PHYSICAL_PERSONAL_CARE,
    codes.SupportReason.PHYSICAL_PERSONAL_CARE,
    codes.SupportReason.PHYSICAL_ACCESS_MOBILITY,
    codes.SupportReason.MEMORY_COGNITION,
    codes.SupportReason.MEMORY_COGNITION,
    codes.SupportReason.LEARNING_DISABILITY,
    codes.SupportReason.MENTAL_HEALTH,
    codes.SupportReason.SENSORY_VISUAL,
    codes.SupportReason.SOCIAL_SUBSTANCE_MISUSE,
    codes.SupportReason.SOCIAL_ISOLATION_OTHER,
]
CONDITIONS = {
    codes.SupportReason.MEMORY_COGNITION: ["dementia"],
    codes.SupportReason.LEARNING_DISABILITY: ["learning_disability", "autism"],
    codes.SupportReason.MENTAL_HEALTH: ["mental_health"],
    codes.SupportReason.SENSORY_VISUAL: ["sensory_impairment"],
    codes.SupportReason.SOCIAL_SUBSTANCE_MISUSE: ["substance_misuse"],
}


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class _Builder:
    def __init__(self, staff: dict, rng: random.Random):
        self.staff = staff
        self.rng = rng
        self.today = datetime.date.today()
        self.providers = [
            OrganisationFactory(name="Larch House Care Home", kind="care_home"),
            OrganisationFactory(name="Brookside Nursing Home", kind="care_home"),
            OrganisationFactory(name="HomeFirst Care Services", kind="domiciliary"),
        ]
        self.counts = {"people": 0, "concerns": 0, "enquiries": 0}
        self.override_pending = False

    def person(self, team, index: int) -> Person:
        reason = SUPPORT_REASONS[index % len(SUPPORT_REASONS)]
        conditions = list(CONDITIONS.get(reason, []))
        if index % 11 == 3:
            conditions.append("asperger_hfa")
        age = self.rng.choice([34, 52, 68, 77, 83, 88, 91])
        person = PersonFactory(
            team=team,
            date_of_birth=self.today
            - datetime.timedelta(days=365 * age + self.rng.randint(0, 364)),
            gender=codes.Gender.FEMALE
            if self.rng.random() < 0.6
            else codes.Gender.MALE,
            ethnicity=self.rng.choice(ETHNICITIES),
            primary_support_reason=reason,
            health_conditions=conditions,
            communication_needs=(["large_print"] if index % 7 == 0 else [])
            + (["bsl"] if index % 13 == 5 else []),
            address_type=codes.AddressType.CARE_HOME
            if index % 10 in (1, 6)
            else codes.AddressType.OWN_HOME,
            created_by=self.staff["practitioner"],
        )
        if index % 9 == 4:
            person.legal_authorities.create(
                kind="lpa_property", holder_name="Daughter (made-up name)"
            )
        if index % 5 == 2:
            person.relationships.create(
                kind="unpaid_carer",
                name=f"{person.family_name} family carer",
                is_appropriate_person=True,
            )
        self.counts["people"] += 1
        return person

    def view(self, person, stage, day, *, concern=None, enquiry=None, words=None):
        source = codes.ViewSource.ADULT
        kwargs = {"views_text": words or "Says she is happy to talk again next week."}
        if words is None and self.rng.random() < 0.15:
            source = codes.ViewSource.ADVOCATE
            kwargs["views_text"] = "Her advocate says she wants things to calm down."
        view = PersonView.objects.create(
            person=person,
            concern=concern,
            enquiry=enquiry,
            stage=stage,
            source=source,
            method=codes.ViewMethod.FACE_TO_FACE,
            own_words=source == codes.ViewSource.ADULT,
            what_matters="Staying at home, seeing family",
            recorded_by=self.staff["practitioner"],
            **kwargs,
        )
        PersonView.objects.filter(pk=view.pk).update(recorded_at=_at(day, 11))
        chronology.add(
            person=person,
            kind=ChronologyEvent.Kind.VIEWS,
            summary=f"Views recorded at {view.get_stage_display().lower()} stage",
            user=self.staff["practitioner"],
            occurred_at=_at(day, 11),
        )
        return view

    def concern(self, person, team, worker, stage, index) -> Concern:
        scenario = SCENARIOS[index % len(SCENARIOS)]
        rtype, location, source, who, relationship, summary, words, outcome = scenario
        low, high = DAYS_AGO[stage]
        received = self.today - datetime.timedelta(days=self.rng.randint(low, high))
        concern = Concern.objects.create(
            person=person,
            team=team,
            allocated_to=worker,
            received_on=received,
            received_via=self.rng.choice(["phone", "email", "online_form", "mash"]),
            referrer_type=self.rng.choice(
                ["family", "health", "care_provider", "police", "public"]
            ),
            referrer_name="A made-up referrer",
            summary=summary,
            incident_date=received - datetime.timedelta(days=1),
            immediate_actions="Spoke to the adult by phone; no immediate danger.",
            adult_aware="yes" if index % 4 else "unknown",
            in_our_area=index % 17 != 5,
            created_by=worker,
        )
        self.counts["concerns"] += 1
        chronology.add(
            person=person,
            kind=ChronologyEvent.Kind.CONCERN,
            summary=f"Concern received: {summary[:120]}",
            user=worker,
            link=concern.get_absolute_url(),
            occurred_at=_at(received, 9),
            significant=True,
        )
        provider = None
        if source == "service_provider":
            provider = self.rng.choice(self.providers)
        Risk.objects.create(
            concern=concern,
            risk_type=rtype,
            location=location,
            source=source,
            source_person_name="" if who == "" else f"The adult's {who}",
            source_relationship=relationship,
            source_organisation=provider,
        )
        if index % 6 == 0:
            Risk.objects.create(
                concern=concern,
                risk_type="psychological",
                location=location,
                source=source,
                source_organisation=provider,
            )
        if stage != "received" or index % 2:
            self.view(person, "concern", received, concern=concern, words=words)
            DesiredOutcome.objects.create(
                person=person,
                concern=concern,
                stage="concern",
                text=outcome,
                recorded_by=worker,
            )
            ConsentDecision.objects.create(
                person=person,
                concern=concern,
                question="raise_concern",
                answer="consented" if index % 5 else "unable",
                recorded_by=worker,
            )
        if stage == "received":
            return concern
        concern.criterion_care_needs = "yes"
        concern.criterion_care_needs_reason = "Receives daily care; known to the team."
        concern.criterion_abuse = "yes"
        concern.criterion_abuse_reason = "Account from the referrer is specific."
        met = stage != "no_enquiry" or index % 3 == 0
        concern.criterion_unable_to_protect = "yes" if met else "no"
        concern.criterion_unable_to_protect_reason = (
            "Needs help to act on it because of memory problems."
            if met
            else "Has capacity and is able to protect herself with advice."
        )
        concern.status = Concern.Status.INFORMATION_GATHERING
        if stage == "gathering":
            concern.save()
            if not self.override_pending and team == self.staff["teams"][0]:
                # A refusal overridden by a colleague, waiting for a second person.
                ConsentDecision.objects.create(
                    person=person,
                    concern=concern,
                    question="police_referral",
                    answer="declined",
                    overridden=True,
                    override_grounds=["crime", "risk_to_others"],
                    override_reason="Others in the household are at risk of the "
                    "same harm; a crime may have been committed.",
                    adult_informed_of_override=True,
                    recorded_by=self.staff["colleague"],
                )
                self.override_pending = True
            return concern
        decided_on = received + datetime.timedelta(days=self.rng.randint(1, 3))
        concern.status = Concern.Status.DECIDED
        concern.decided_by = worker
        concern.decided_at = _at(decided_on, 15)
        concern.decided_on = decided_on
        concern.referrer_feedback_on = decided_on
        concern.referrer_feedback = "Told them we are looking into it."
        if stage == "no_enquiry":
            concern.decision = Concern.Decision.NO_ENQUIRY
            concern.other_pathway = self.rng.choice(
                ["information_advice", "needs_assessment", "referred_elsewhere"]
            )
            concern.decision_reason = "Not all of the three-part test is met; " + (
                "advice given and a needs assessment offered."
            )
        else:
            concern.decision = (
                Concern.Decision.SECTION_42
                if index % 12 != 7
                else Concern.Decision.OTHER_ENQUIRY
            )
            if concern.decision == Concern.Decision.OTHER_ENQUIRY:
                concern.criterion_care_needs = "no"
            concern.decision_reason = "Reasonable cause to suspect; she wants help."
        concern.save()
        chronology.add(
            person=person,
            kind=ChronologyEvent.Kind.DECISION,
            summary=f"Decision: {concern.get_decision_display()}",
            user=worker,
            link=concern.get_absolute_url(),
            occurred_at=concern.decided_at,
            significant=True,
        )
        return concern

    def enquiry(self, concern, worker, status, index) -> Enquiry:
        person = concern.person
        started = timezone.localdate(concern.decided_at)
        kind = (
            Enquiry.Kind.SECTION_42
            if concern.decision == Concern.Decision.SECTION_42
            else Enquiry.Kind.OTHER
        )
        enquiry = Enquiry.objects.create(
            concern=concern,
            kind=kind,
            kind_at_start=kind,
            team=concern.team,
            allocated_to=worker,
            started_on=started,
            status=status,
            scope="Establish what happened, what she wants, and how to keep her safe.",
            created_by=worker,
        )
        self.counts["enquiries"] += 1
        Allocation.objects.create(
            enquiry=enquiry,
            team=enquiry.team,
            worker=worker,
            reason="Enquiry opened",
            allocated_by=worker,
        )
        for risk in concern.risks.filter(enquiry__isnull=True):
            Risk.objects.create(
                concern=concern,
                enquiry=enquiry,
                risk_type=risk.risk_type,
                location=risk.location,
                source=risk.source,
                source_person_name=risk.source_person_name,
                source_relationship=risk.source_relationship,
                source_organisation=risk.source_organisation,
            )
        chronology.add(
            person=person,
            kind=ChronologyEvent.Kind.ENQUIRY,
            summary=f"{enquiry.get_kind_display()} started",
            user=worker,
            occurred_at=_at(started, 16),
            significant=True,
        )
        passed = STAGES_PASSED[status]
        for offset, stage in enumerate(passed):
            self.view(
                person,
                stage,
                min(started + datetime.timedelta(days=3 + offset * 7), self.today),
                enquiry=enquiry,
            )
        if status != "planning":
            Meeting.objects.create(
                enquiry=enquiry,
                kind="strategy_discussion",
                held_on=started + datetime.timedelta(days=2),
                format="phone",
                attendees="Social worker; police safeguarding unit; GP practice",
                adult_invited=True,
                adult_attended=index % 3 == 0,
                how_views_brought="Social worker shared what she said at the visit.",
                interim_protection="Daily welfare calls until the enquiry reports.",
                decisions="Council to lead; visit her alone within five days.",
            )
            enquiry.spoken_to = "The adult (alone), her daughter, the care provider."
            enquiry.seen_alone = True
        if index % 4 == 1:
            AdvocacyReferral.objects.create(
                enquiry=enquiry,
                difficulty_understanding=True,
                difficulty_weighing=True,
                appropriate_person_available=False,
                kind="care_act_s68",
                status="allocated",
                provider="Made-up Advocacy Service",
                referred_on=started + datetime.timedelta(days=1),
                allocated_on=started + datetime.timedelta(days=4),
                advocate_name="Jo Advocate",
            )
        lacks = index % 10 in (2, 5, 8)
        if status in ("outcome_recorded", "plan_active", "closure_requested", "closed"):
            CapacityAssessment.objects.create(
                person=person,
                enquiry=enquiry,
                decision_in_question="Whether to take part in the safeguarding enquiry",
                assessed_on=started + datetime.timedelta(days=5),
                impairment=lacks,
                impairment_evidence="Diagnosed dementia" if lacks else "",
                understand="unable" if lacks else "able",
                understand_evidence="Could not recall the concern after explanation"
                if lacks
                else "",
                retain="able",
                use_or_weigh="unable" if lacks else "able",
                use_or_weigh_evidence="Could not weigh the risks" if lacks else "",
                communicate="able",
                conclusion="lacks_capacity" if lacks else "has_capacity",
                best_interests_decision="Proceed with the enquiry, involving her "
                "daughter and advocate."
                if lacks
                else "",
                created_by=worker,
            )
            enquiry.findings = "Account corroborated by the provider's records."
            enquiry.risk_assessment_outcome = self._outcome(index)
            if enquiry.risk_assessment_outcome in codes.RiskOutcome.risk_identified():
                enquiry.risk_result = self._result(index)
            enquiry.lacked_capacity = "yes" if lacks else "no"
            enquiry.capacity_support = True if lacks else None
            enquiry.action_about_source = "Provider action plan; staff retraining."
        outcomes = list(DesiredOutcome.objects.filter(concern=concern))
        if status in ("plan_active", "closure_requested", "closed"):
            enquiry.plan_agreed_with_adult = True
            for n, description in enumerate(
                [
                    "Weekly welfare visit by the social worker",
                    "Bank to add a second signatory check on withdrawals",
                ]
            ):
                action = PlanAction.objects.create(
                    enquiry=enquiry,
                    description=description,
                    owner="Social worker" if n == 0 else "Bank safeguarding team",
                    due_on=started + datetime.timedelta(days=21 + n * 7),
                    status="done" if status == "closed" else "in_progress",
                    created_by=worker,
                )
                action.desired_outcomes.set(outcomes)
            PlanReview.objects.create(
                enquiry=enquiry,
                reviewed_on=started + datetime.timedelta(days=30),
                adult_view="Feels calmer; wants the visits to continue for now.",
                risk_rating="medium",
                decision="continue",
                created_by=worker,
            )
        if status in ("closure_requested", "closed"):
            enquiry.asked_desired_outcomes = "yes" if index % 5 else "no"
            enquiry.closure_reason = (
                "outcomes_achieved" if index % 3 else "risk_managed"
            )
            enquiry.closure_checklist = {
                key: True for key, _label in Enquiry.CLOSURE_CHECKLIST
            }
            enquiry.adult_view_on_closure = "agrees"
            enquiry.sar_considered = True
            enquiry.lessons_learned = "Earlier contact with the bank would have helped."
            enquiry.closure_requested_by = worker
            enquiry.closure_requested_at = _at(
                min(started + datetime.timedelta(days=40), self.today), 12
            )
            enquiry.status_before_closure_request = "plan_active"
            achieved = self._achieved(index)
            if enquiry.asked_desired_outcomes == "yes":
                enquiry.outcomes_achieved = achieved
                for outcome in outcomes:
                    outcome.achieved = achieved
                    outcome.evaluated_with = "adult"
                    outcome.evaluation_comment = "I feel a lot safer now."
                    outcome.evaluated_at = enquiry.closure_requested_at
                    outcome.evaluated_by = worker
                    outcome.enquiry = enquiry
                    outcome.save()
        if status == "closed":
            concluded = min(started + datetime.timedelta(days=45), self.today)
            enquiry.concluded_on = concluded
            enquiry.signed_off_by = self.staff["manager"]
            enquiry.signed_off_at = _at(concluded, 14)
            chronology.add(
                person=person,
                kind=ChronologyEvent.Kind.CLOSURE,
                summary="Enquiry closed and signed off",
                user=self.staff["manager"],
                occurred_at=_at(concluded, 14),
                significant=True,
            )
        enquiry.save()
        self.notes(person, enquiry, worker, started, final=status != "planning")
        return enquiry

    def notes(self, person, enquiry, worker, day, *, final: bool) -> None:
        note = CaseNote.objects.create(
            person=person,
            enquiry=enquiry,
            text="Home visit. Saw her alone in the kitchen; she was relaxed and "
            "talked about her garden before we discussed the concern.",
            created_by=worker,
            is_final=final,
            finalised_at=_at(day, 17) if final else None,
        )
        CaseNote.objects.filter(pk=note.pk).update(created_at=_at(day, 17))
        if final:
            chronology.add(
                person=person,
                kind=ChronologyEvent.Kind.NOTE,
                summary="Case note: home visit, seen alone",
                user=worker,
                occurred_at=_at(day, 17),
            )

    def _outcome(self, index: int) -> str:
        if index % 13 == 4:
            return codes.RiskOutcome.CEASED_AT_REQUEST
        if index % 7 == 3:
            return codes.RiskOutcome.INCONCLUSIVE_ACTION
        if index % 11 == 6:
            return codes.RiskOutcome.NO_RISK_NO_ACTION
        return codes.RiskOutcome.RISK_IDENTIFIED_ACTION

    def _result(self, index: int) -> str:
        # About 70% reduced, 20% removed, 10% remained (placeholder split).
        return (["reduced"] * 7 + ["removed"] * 2 + ["remained"])[index % 10]

    def _achieved(self, index: int) -> str:
        return ["fully", "fully", "partially", "fully", "not", "partially", "fully"][
            index % 7
        ]

    def caseload(self, team, stages, workers) -> None:
        for index, stage in enumerate(stages):
            worker = workers[index % len(workers)]
            person = self.person(team, index)
            concern = self.concern(person, team, worker, stage, index)
            if stage in ENQUIRY_STATUSES:
                self.enquiry(concern, worker, stage, index)


def create_demo_caseload(*, staff: dict, out) -> None:
    """About 40 people for the north team and 10 for the south. Safe to run twice."""
    north, south = staff["teams"]
    if Person.objects.filter(team=north).exists():
        out.write("Demo caseload already present: left as it is.\n")
        return
    factory.random.reseed_random(2024)
    builder = _Builder(staff, random.Random(2024))  # noqa: S311 - made-up data
    with transaction.atomic():
        builder.caseload(
            north, STAGES_NORTH, [staff["practitioner"], staff["colleague"]]
        )
        builder.caseload(south, STAGES_SOUTH, [staff["south_worker"]])
    counts = builder.counts
    out.write(
        f"Demo caseload: {counts['people']} people, {counts['concerns']} concerns, "
        f"{counts['enquiries']} enquiries.\n"
    )
    from enquiries.partners_demo import create_demo_partners

    with transaction.atomic():
        partners = create_demo_partners(
            team=north, user=staff["practitioner"], today=builder.today
        )
    out.write(
        f"Demo partners: {partners['agencies']} involved agencies, "
        f"{partners['requests']} requests to partners, {partners['shares']} "
        f"information shares, {partners['s45']} section 45 request(s).\n"
    )
