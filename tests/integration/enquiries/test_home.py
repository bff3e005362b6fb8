"""Work queues on the home page: due dates, overdue flags, scope, paging."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enquiries.factories import ConcernFactory, EnquiryFactory, PersonFactory
from enquiries.models import StageTimescale
from enquiries.timescales import add_working_days

pytestmark = pytest.mark.django_db


def old_concern(team, days_ago, **kwargs):
    received = datetime.date.today() - datetime.timedelta(days=days_ago)
    return ConcernFactory(
        person=PersonFactory(team=team), received_on=received, **kwargs
    )


def test_home_shows_queues_with_due_dates_and_overdue_flags(
    client, practitioner, team, other_team
):
    late = old_concern(team, 30)
    late.person.given_name, late.person.family_name = "Late", "Decision"
    late.person.save()
    fresh = ConcernFactory(
        person=PersonFactory(team=team, given_name="Fresh"),
        received_on=datetime.date.today(),
    )
    mine = EnquiryFactory(
        concern__person=PersonFactory(team=team, given_name="Mine"),
        allocated_to=practitioner,
        status="planning",
    )
    old_concern(team, 30, status="decided")
    old_concern(other_team, 2)
    client.force_login(practitioner)
    response = client.get(reverse("home"))
    html = response.content.decode()
    queues = {q["name"]: q for q in response.context["queues"]}
    assert set(queues) == {"mine", "team", "decision"}  # no sign-off for a practitioner
    assert [e.pk for e in queues["mine"]["rows"]] == [mine.pk]
    decision_rows = queues["decision"]["rows"]
    assert [c.pk for c in decision_rows] == [late.pk, fresh.pk]
    assert decision_rows[0].overdue and not decision_rows[1].overdue
    assert decision_rows[0].due_on == add_working_days(late.received_on, 2)
    assert "Overdue" in html and "Late Decision" in html


def test_manager_sees_awaiting_sign_off(client, manager, team):
    waiting = EnquiryFactory(
        concern__person=PersonFactory(team=team), status="closure_requested"
    )
    EnquiryFactory(concern__person=PersonFactory(team=team), status="in_progress")
    client.force_login(manager)
    queues = {q["name"]: q for q in client.get(reverse("home")).context["queues"]}
    assert [e.pk for e in queues["signoff"]["rows"]] == [waiting.pk]


def test_practitioner_cannot_open_sign_off_queue(client, practitioner):
    client.force_login(practitioner)
    assert client.get(reverse("enquiries:queue", args=["signoff"])).status_code == 404
    assert client.get(reverse("enquiries:queue", args=["nonsense"])).status_code == 404


def test_auditor_home_has_no_case_queues(client, auditor, team):
    old_concern(team, 3)
    client.force_login(auditor)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["queues"] == []


def test_configured_timescale_replaces_the_default(client, practitioner, team):
    concern = old_concern(team, 1)
    StageTimescale.objects.create(step="decision", working_days=10)
    client.force_login(practitioner)
    queues = {q["name"]: q for q in client.get(reverse("home")).context["queues"]}
    assert queues["decision"]["rows"][0].due_on == add_working_days(
        concern.received_on, 10
    )


def test_home_query_count_is_constant(client, manager, team, django_assert_num_queries):
    def add(n):
        for i in range(n):
            old_concern(team, i % 9)
            EnquiryFactory(
                concern__person=PersonFactory(team=team),
                allocated_to=manager,
                status="closure_requested",
            )

    add(2)
    client.force_login(manager)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    add(30)
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("home"))
    queues = {q["name"]: q for q in response.context["queues"]}
    assert len(queues["decision"]["rows"]) == 10
    assert queues["decision"]["see_all"]
    queue_url = reverse("enquiries:queue", args=["decision"])
    assert f'href="{queue_url}"' in response.content.decode()


def test_queue_keyset_pages_cover_everything_once(client, practitioner, team):
    concerns = [old_concern(team, i % 5) for i in range(30)]
    client.force_login(practitioner)
    url = reverse("enquiries:queue", args=["decision"])
    first = client.get(url)
    second = client.get(url, {"after": first.context["queue"]["next"]})
    ids = [c.pk for c in first.context["queue"]["rows"]] + [
        c.pk for c in second.context["queue"]["rows"]
    ]
    assert sorted(ids) == sorted(c.pk for c in concerns)
    assert second.context["queue"]["next"] is None
    assert "More" in first.content.decode()


def test_queue_with_garbled_cursor_shows_first_page(client, practitioner, team):
    old_concern(team, 1)
    client.force_login(practitioner)
    response = client.get(
        reverse("enquiries:queue", args=["decision"]), {"after": "not-a-date,x"}
    )
    assert response.status_code == 200
    assert len(response.context["queue"]["rows"]) == 1


def test_find_a_person_link_in_navigation(client, practitioner):
    client.force_login(practitioner)
    html = client.get(reverse("home")).content.decode()
    assert reverse("enquiries:person_search") in html


def test_leads_team_queue_lists_every_teams_open_enquiries_oldest_first(
    client, lead, team, other_team, django_assert_num_queries
):
    today = datetime.date.today()

    def started(days_ago, on_team, **kwargs):
        return EnquiryFactory(
            concern__person=PersonFactory(team=on_team),
            started_on=today - datetime.timedelta(days=days_ago),
            **kwargs,
        )

    # Closed enquiries older than every open one: the list skips them.
    for days in range(400, 420):
        started(days, team, concluded=True)
    open_ones = [started(days, on) for days, on in ((90, other_team), (60, team))]
    url = reverse("enquiries:queue", args=["team"])
    client.force_login(lead)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for days in range(30):
        started(200 + days, team, concluded=True)
        started(10 + days % 5, other_team)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    rows = response.context["queue"]["rows"]
    assert [row.pk for row in rows[:2]] == [e.pk for e in open_ones]
    assert all(row.status != "closed" for row in rows)
    home = client.get(reverse("home"))
    team_queue = {q["name"]: q for q in home.context["queues"]}["team"]
    assert [row.pk for row in team_queue["rows"][:2]] == [e.pk for e in open_ones]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the partial index is PostgreSQL's plan"
)
def test_open_enquiries_oldest_first_read_the_partial_index(team):
    from enquiries.models import Enquiry

    for _ in range(5):
        EnquiryFactory(concern__person=PersonFactory(team=team), concluded=True)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = (
        Enquiry.objects.exclude(status="closed")
        .order_by("started_on", "id")[:11]
        .explain()
    )
    assert "enq_enquiry_open_started" in plan
