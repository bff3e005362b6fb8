"""The per-enquiry figures the reports keep (outcomes.figures, decision 0033).

What they promise: the kept rows always equal a full recount from the
records, whatever was changed and however (a save, a delete, a bulk write
that announces itself), and a report counts the same from them as afresh.
"""

import datetime
import io
import random

import pytest
from django.core.management import call_command
from django.urls import reverse

from enquiries import codes
from enquiries.bulk import create_bulk_caseload
from enquiries.factories import DesiredOutcomeFactory, EnquiryFactory, PersonViewFactory
from enquiries.models import (
    AdvocacyReferral,
    Concern,
    DesiredOutcome,
    Enquiry,
    Person,
    PersonView,
    PlanAction,
)
from enquiries.signals import case_records_loaded
from enquiries.timescales import add_working_days, working_days_taken
from outcomes import figures, monthly_figures, reports, sac_spec
from outcomes.models import (
    EnquiryFigures,
    FeedbackQuestionnaire,
    FigureMonthChange,
    MonthlyFiguresState,
)
from outcomes.services import record_feedback

D = datetime.date
YEAR = "2025-26"


def _filters() -> reports.ReportFilter:
    start, end = sac_spec.financial_year_bounds(YEAR)
    return reports.ReportFilter(start=start, end=end, query={"year": YEAR})


def _kept() -> dict[int, dict]:
    return {
        row["enquiry_id"]: row
        for row in EnquiryFigures.objects.values("enquiry_id", *figures.VALUE_FIELDS)
    }


def _recounted() -> dict[int, dict]:
    ids = list(Enquiry.objects.values_list("pk", flat=True))
    return {
        row.enquiry_id: {
            "enquiry_id": row.enquiry_id,
            **{name: getattr(row, name) for name in figures.VALUE_FIELDS},
        }
        for row in figures._computed(ids)
    }


def test_working_days_taken_agrees_with_the_due_date_rule():
    # A step is late against n working days when it ended after the day n
    # working days on (add_working_days); working_days_taken says the same
    # by arithmetic, over weekends, bank holidays and year ends.
    rng = random.Random(21)
    first = D(2023, 12, 1)
    for _ in range(3000):
        begin = first + datetime.timedelta(days=rng.randrange(1200))
        end = begin + datetime.timedelta(days=rng.randrange(-4, 90))
        taken = working_days_taken(begin, end)
        for n in range(0, 45):
            assert (end > add_working_days(begin, n)) is (taken > n), (begin, end, n)
    # Friday to the Tuesday after the Easter Monday bank holiday of 2025.
    assert working_days_taken(D(2025, 4, 17), D(2025, 4, 22)) == 1
    assert working_days_taken(D(2025, 4, 17), D(2025, 4, 17)) == 0


class _Edits:
    """Random changes to a small caseload, each through save() or a service."""

    def __init__(self, rng: random.Random, user, team, other_team=None):
        self.rng, self.user = rng, user
        self.teams = [team, other_team or team]
        self.enquiries = [
            EnquiryFactory(
                concluded=index < 5,
                concern__person__team=team,
                concern__received_on=D(2025, 5, 1) + datetime.timedelta(days=index),
                started_on=D(2025, 5, 2) + datetime.timedelta(days=index),
            )
            for index in range(8)
        ]
        # Two more on concerns that already led to one: a change to the
        # concern (its decision, its desired outcomes) counts for both.
        self.enquiries += [
            EnquiryFactory(
                concluded=index == 0,
                concern=self.enquiries[index].concern,
                team=team,
                started_on=D(2025, 5, 20),
            )
            for index in (0, 5)
        ]
        self.questionnaire = FeedbackQuestionnaire.objects.get(is_active=True)

    def pick(self) -> Enquiry:
        return Enquiry.objects.get(pk=self.rng.choice(self.enquiries).pk)

    def view(self):
        enquiry = self.pick()
        PersonViewFactory(
            person=enquiry.concern.person,
            enquiry=enquiry,
            stage=self.rng.choice(figures.VIEW_STAGES),
            **self._source(),
        )

    def _source(self) -> dict:
        if self.rng.random() < 0.4:
            return {
                "source": codes.ViewSource.NOT_OBTAINED,
                "not_obtained_reason": "declined",
                "views_text": "",
            }
        return {"source": self.rng.choice(["adult", "representative"])}

    def correct_view(self):
        current = list(
            PersonView.objects.filter(
                enquiry__isnull=False, superseded_by__isnull=True
            ).order_by("pk")
        )
        if current:
            old = self.rng.choice(current)
            PersonViewFactory(
                person=old.person,
                enquiry=old.enquiry,
                stage=old.stage,
                supersedes=old,
                correction_reason="Corrected",
                **self._source(),
            )

    def plan_action(self):
        PlanAction.objects.create(
            enquiry=self.pick(), description="Visit", owner="Sam", due_on=D(2025, 7, 1)
        )

    def advocacy(self):
        allocated = self.rng.random() < 0.5
        AdvocacyReferral.objects.create(
            enquiry=self.pick(),
            status="allocated" if allocated else "needed",
            allocated_on=D(2025, 5, 20) if allocated else None,
        )

    def feedback(self):
        record_feedback(
            user=self.user,
            enquiry=self.pick(),
            questionnaire=self.questionnaire,
            respondent="adult",
            collected_by="lead_at_closure",
            collector_name="",
            collected_on=D(2025, 6, 10),
            answers={q.pk: "agree" for q in self.questionnaire.questions.all()},
        )

    def desired_outcome(self):
        enquiry = self.pick()
        on_concern = self.rng.random() < 0.5
        DesiredOutcomeFactory(
            person=enquiry.concern.person,
            concern=enquiry.concern,
            enquiry=None if on_concern else enquiry,
            achieved=self.rng.choice(["", "fully", "partially"]),
        )

    def rate_or_withdraw_outcome(self):
        outcomes = list(DesiredOutcome.objects.order_by("pk"))
        if outcomes:
            outcome = self.rng.choice(outcomes)
            if self.rng.random() < 0.5:
                outcome.achieved = self.rng.choice(["", "fully", "not"])
            else:
                outcome.status = DesiredOutcome.Status.WITHDRAWN
            outcome.save()

    def decide_concern(self):
        concern = Concern.objects.get(pk=self.pick().concern_id)
        concern.decided_on = concern.received_on + datetime.timedelta(
            days=self.rng.randrange(0, 12)
        )
        concern.save()

    def close_or_reopen(self):
        enquiry = self.pick()
        if enquiry.status == Enquiry.Status.CLOSED:
            enquiry.status = Enquiry.Status.CLOSURE_REQUESTED
            enquiry.concluded_on = None
        else:
            enquiry.status = Enquiry.Status.CLOSED
            enquiry.concluded_on = enquiry.started_on + datetime.timedelta(
                days=self.rng.randrange(1, 80)
            )
        enquiry.save()

    def restart(self):
        enquiry = self.pick()
        enquiry.started_on = enquiry.started_on + datetime.timedelta(
            days=self.rng.randrange(-3, 4)
        )
        enquiry.save()

    def transfer(self):
        # To the other team (the dashboard's monthly figures are per team).
        enquiry = self.pick()
        enquiry.team = self.rng.choice(self.teams)
        enquiry.save()

    def change_kind(self):
        enquiry = self.pick()
        enquiry.kind = self.rng.choice(Enquiry.Kind.values)
        enquiry.save()

    def conclusion_moved_in_bulk(self):
        # Past save(): another month, and the outcome as the adult judged it.
        closed = Enquiry.objects.filter(pk=self.pick().pk, status=Enquiry.Status.CLOSED)
        closed.update(
            concluded_on=D(2025, 5, 1)
            + datetime.timedelta(days=self.rng.randrange(0, 300)),
            outcomes_achieved=self.rng.choice(["", "fully", "not"]),
        )

    def adult_details(self):
        # What the equality tables group adults by, through save().
        person = Person.objects.get(pk=self.pick().concern.person_id)
        person.gender = self.rng.choice(["male", "female", "not_known"])
        person.ethnicity = self.rng.choice(["white_british", "asian_indian", ""])
        person.date_of_birth = D(1950, 1, 1) + datetime.timedelta(
            days=self.rng.randrange(0, 365 * 20)
        )
        person.save()

    def adult_details_in_bulk(self):
        # Past save(): a death recorded, a support reason set.
        person = Person.objects.filter(pk=self.pick().concern.person_id)
        if self.rng.random() < 0.5:
            person.update(
                date_of_death=D(2025, 5, 1)
                + datetime.timedelta(days=self.rng.randrange(0, 300))
            )
        else:
            person.update(
                primary_support_reason=self.rng.choice(["sensory_visual", ""])
            )

    def concern_moved(self):
        # To another adult (duplicates merged), by save() or update().
        concern = Concern.objects.get(pk=self.pick().concern_id)
        adult = self.pick().concern.person_id
        if self.rng.random() < 0.5:
            concern.person_id = adult
            concern.save()
        else:
            Concern.objects.filter(pk=concern.pk).update(person=adult)

    def any(self) -> str:
        edit = self.rng.choice(
            [
                self.adult_details,
                self.adult_details_in_bulk,
                self.concern_moved,
                self.transfer,
                self.change_kind,
                self.conclusion_moved_in_bulk,
                self.view,
                self.correct_view,
                self.plan_action,
                self.advocacy,
                self.feedback,
                self.desired_outcome,
                self.rate_or_withdraw_outcome,
                self.decide_concern,
                self.close_or_reopen,
                self.restart,
            ]
        )
        edit()
        return edit.__name__


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_figures_equal_a_full_recount_after_random_edits(
    seed, team, other_team, manager
):
    edits = _Edits(random.Random(seed), manager, team, other_team)
    monthly_figures.fill()
    for _ in range(60):
        edit = edits.any()
        # After every edit, not just at the end (a later save of the same
        # enquiry would hide a change that was missed).
        assert _kept() == _recounted(), edit
        # The dashboard's monthly figures, counted again from the marked
        # months, equal a count afresh of every month (decision 0038).
        assert monthly_figures.is_filled()
        assert monthly_figures.differences(D(2025, 1, 1), D(2026, 12, 31)) == [], edit
    assert not FigureMonthChange.objects.exists()
    closed = set(
        Enquiry.objects.filter(status=Enquiry.Status.CLOSED).values_list(
            "pk", flat=True
        )
    )
    assert closed  # the edits leave some closed
    kept = _kept()
    assert set(kept) == closed
    assert kept == _recounted()
    # The dashboard counts the same from them as from nothing kept at all.
    from_kept = reports.dashboard(manager, _filters())
    equality_from_kept = reports.equality(manager, _filters())
    assert monthly_figures.kept_equality(manager, _filters()) is not None
    # Nothing kept at all: no per-enquiry figures, no monthly figures.
    EnquiryFigures.objects.all().delete()
    MonthlyFiguresState.objects.all().delete()
    afresh = reports.dashboard(manager, _filters())
    assert from_kept["counts"] == afresh["counts"]
    assert from_kept["timescales"] == afresh["timescales"]
    # So do the equality tables (kept with them, for the adults as now).
    assert equality_from_kept == reports.equality(manager, _filters())
    assert _kept() == kept  # and the recount kept them again


@pytest.mark.django_db
def test_an_enquiry_opened_again_loses_its_figures_until_closed_again(team):
    closed = EnquiryFactory(concluded=True, concern__person__team=team)
    assert EnquiryFigures.objects.filter(enquiry=closed).exists()
    # Opened again as an administrator or an import would: read, changed.
    enquiry = Enquiry.objects.get(pk=closed.pk)
    enquiry.status, enquiry.concluded_on = Enquiry.Status.CLOSURE_REQUESTED, None
    enquiry.save()
    assert not EnquiryFigures.objects.filter(enquiry=enquiry).exists()
    enquiry.status = Enquiry.Status.CLOSED
    enquiry.concluded_on = enquiry.started_on + datetime.timedelta(days=3)
    enquiry.save()
    taken = working_days_taken(enquiry.started_on, enquiry.concluded_on)
    assert EnquiryFigures.objects.get(enquiry=enquiry).closure_days == taken
    assert _kept() == _recounted()


@pytest.mark.django_db
def test_a_bulk_write_that_announces_itself_is_counted_again(team):
    enquiry = EnquiryFactory(concluded=True, concern__person__team=team)
    PersonViewFactory(
        person=enquiry.concern.person, enquiry=enquiry, stage="enquiry", source="adult"
    )
    assert _kept()[enquiry.pk]["view_ok_enquiry"] is True
    # Past save(), as an import writes: the row is stale until announced.
    PersonView.objects.filter(enquiry=enquiry).update(
        source=codes.ViewSource.NOT_OBTAINED, views_text=""
    )
    assert _kept()[enquiry.pk]["view_ok_enquiry"] is True
    case_records_loaded.send(sender=Enquiry, enquiry_ids={enquiry.pk})
    assert _kept()[enquiry.pk]["view_ok_enquiry"] is False
    assert _kept()[enquiry.pk]["view_not_obtained"] is True
    assert _kept() == _recounted()


@pytest.mark.django_db
def test_a_generated_caseload_keeps_the_figures_of_its_closed_enquiries(
    team, other_team, practitioner
):
    create_bulk_caseload(
        people=60, teams=[team, other_team], workers=[practitioner], years=2, seed=3
    )
    closed = Enquiry.objects.filter(status=Enquiry.Status.CLOSED).count()
    assert closed > 10
    assert len(_kept()) == closed
    assert _kept() == _recounted()


@pytest.mark.django_db
def test_a_report_counts_and_keeps_figures_missing(team, manager):
    for day in (1, 2, 3):
        EnquiryFactory(
            concluded=True,
            concern__person__team=team,
            started_on=D(2025, 5, day),
        )
    kept = _kept()
    EnquiryFigures.objects.filter(enquiry_id=min(kept)).delete()
    counts = reports.dashboard(manager, _filters())["counts"]
    assert counts["concluded"] == 3
    assert _kept() == kept


@pytest.mark.django_db
def test_the_command_counts_every_closed_enquiry_again(team):
    enquiry = EnquiryFactory(concluded=True, concern__person__team=team)
    open_one = EnquiryFactory(concern__person__team=team)
    EnquiryFigures.objects.filter(enquiry=enquiry).update(has_feedback=True)
    EnquiryFigures.objects.create(
        enquiry=open_one, **dict.fromkeys(figures.FLAG_FIELDS, False)
    )
    out = io.StringIO()
    call_command("refresh_enquiry_figures", stdout=out)
    assert "1 closed enquiries" in out.getvalue()
    assert _kept() == _recounted()
    assert set(_kept()) == {enquiry.pk}


@pytest.mark.django_db
def test_an_import_announces_what_it_wrote_and_the_figures_follow():
    from tests.integration.test_interchange import CONCERN, ENQUIRY, PERSON, jsonl, run

    report, _ = run(jsonl(PERSON, CONCERN, ENQUIRY))
    assert report.ok, report.errors
    enquiry = Enquiry.objects.get(source_ref="E1")
    assert _kept()[enquiry.pk]["has_unrated_outcome"] is False
    # The same enquiry again, its desired outcome not yet rated: written in
    # bulk (the old outcome withdrawn, the new one inserted), past save().
    unrated = {**ENQUIRY, "desired_outcomes": [{"text": "Get my savings back"}]}
    report, _ = run(jsonl(PERSON, CONCERN, unrated))
    assert report.ok, report.errors
    assert _kept()[enquiry.pk]["has_unrated_outcome"] is True
    assert _kept() == _recounted()


@pytest.mark.django_db
def test_support_can_read_the_kept_figures_in_admin_without_anyones_details(
    client, django_user_model, team
):
    enquiry = EnquiryFactory(
        concluded=True,
        concern__person__team=team,
        concern__person__family_name="Quigglesworth",
    )
    support = django_user_model.objects.create_superuser("support", password="x")
    client.force_login(support)
    listing = client.get(reverse("admin:outcomes_enquiryfigures_changelist"))
    assert listing.status_code == 200
    page = client.get(
        reverse("admin:outcomes_enquiryfigures_change", args=[enquiry.pk])
    )
    assert page.status_code == 200
    for response in (listing, page):
        assert "Quigglesworth" not in response.content.decode()
    assert "Closure days" in page.content.decode()
