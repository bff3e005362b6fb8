"""The SAC return page, its downloads, the SAR register and the import page."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from enquiries.factories import ConcernFactory, EnquiryFactory, PersonFactory
from enquiries.models import Enquiry, Person, SafeguardingAdultsReview, SarIndividual
from msp import roles
from msp.factories import UserFactory
from msp.models import AuditEvent
from outcomes import sac
from outcomes.sac_spec import financial_year_bounds as sac_spec_bounds
from tests.support.sac_year import concluded_in_year as _concluded

pytestmark = pytest.mark.django_db

YEAR = "2024-25"
PAGE = reverse("outcomes:sac_return")
CSV = reverse("outcomes:sac_download_csv")
XLSX = reverse("outcomes:sac_download_xlsx")


@pytest.fixture
def year_data(team, other_team):
    """Two concluded S42 enquiries in 2024-25, one per team, both incomplete."""
    ours = _concluded(team, lacked_capacity="", concern__person__family_name="Ourteam")
    theirs = _concluded(
        other_team, lacked_capacity="", concern__person__family_name="Otherteam"
    )
    return ours, theirs


def test_practitioners_and_auditors_are_refused(client, practitioner, auditor):
    for user in (practitioner, auditor):
        client.force_login(user)
        for url in (PAGE, f"{CSV}?year={YEAR}", f"{XLSX}?year={YEAR}"):
            assert client.get(url).status_code == 403
        assert client.get(reverse("outcomes:sar_list")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_page_shows_every_table_with_totals(client, manager, year_data):
    client.force_login(manager)
    html = client.get(PAGE, {"year": YEAR}).content.decode()
    for code in ("SG1a", "SG1f", "SG2a", "SG2ab1", "SG3a", "SG4a", "SG5b"):
        assert f'id="table-{code}"' in html
    assert "SAC return for 1 April 2024 to 31 March 2025" in html
    # SG1a: two people in each of the concerns and S42 columns; row totals 4.
    sg1a = html.split('id="table-SG1a"')[1].split("</table>")[0]
    assert "Safeguarding Concerns" in sg1a
    assert ">Total</th>" in sg1a
    assert (
        '<td class="govuk-table__cell govuk-table__cell--numeric govuk-!-font-weight-bold">4</td>'
        in sg1a
    )
    sg3a = html.split('id="table-SG3a"')[1].split("</table>")[0]
    assert "Total concluded Section 42 enquiries" in sg3a
    assert "Not recorded" in sg3a


def test_default_year_is_the_last_complete_one(client, lead):
    client.force_login(lead)
    response = client.get(PAGE)
    assert response.context["year"] == sac.last_complete_year()


def test_a_bad_year_shows_an_error_and_the_default(client, lead):
    client.force_login(lead)
    response = client.get(PAGE, {"year": "1066-67"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a financial year from the list" in html
    assert "<title>Error: " in html
    assert response.context["year"] == sac.last_complete_year()


def test_data_quality_list_is_scoped_to_the_managers_teams(
    client, manager, lead, year_data
):
    ours, theirs = year_data
    client.force_login(manager)
    html = client.get(PAGE, {"year": YEAR}).content.decode()
    assert "no answer about mental capacity" in html
    assert ours.get_absolute_url() in html
    assert theirs.get_absolute_url() not in html
    assert "Otherteam" not in html
    client.force_login(lead)
    html = client.get(PAGE, {"year": YEAR}).content.decode()
    assert ours.get_absolute_url() in html
    assert theirs.get_absolute_url() in html


def test_people_without_date_of_birth_are_listed(client, lead, team):
    person = PersonFactory(date_of_birth=None, team=team)
    day = datetime.date(2024, 6, 1)
    EnquiryFactory(
        concern=ConcernFactory(person=person, received_on=day), started_on=day
    )
    client.force_login(lead)
    html = client.get(PAGE, {"year": YEAR}).content.decode()
    assert "People counted this year with no date of birth" in html
    assert person.get_absolute_url() in html


def test_consistency_problems_are_shown(client, lead, year_data):
    client.force_login(lead)
    html = client.get(PAGE, {"year": YEAR}).content.decode()
    # The factory enquiries have no risks recorded.
    assert "some have no recorded risk" in html


def test_csv_download_has_every_cell_and_is_audited(client, manager, year_data):
    client.force_login(manager)
    response = client.get(CSV, {"year": YEAR})
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="sac-return-2024-25.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["table", "category", "subcategory", "value"]
    assert len(rows) - 1 == len(sac.compute_sac_return(YEAR))
    assert ["SG3a", "Not recorded", "", "2"] in rows
    assert [
        "SG1f",
        "Total Number of Section 42 Safeguarding Enquiries",
        "",
        "2",
    ] in rows
    event = AuditEvent.objects.get(action="download")
    assert event.actor == manager
    assert "2024-25" in event.summary


def test_xlsx_download_has_one_sheet_per_table(client, lead, year_data):
    client.force_login(lead)
    response = client.get(XLSX, {"year": YEAR})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["SG1a", "SG1b", "SG1c"]
    assert len(book.sheetnames) == 15
    rows = list(book["SG3a"].iter_rows(values_only=True))
    assert ("Not recorded", 2) in rows
    assert ("Total concluded Section 42 enquiries", 2) in rows
    assert AuditEvent.objects.filter(action="download", actor=lead).count() == 1


def test_download_with_a_bad_year_says_so(client, lead):
    client.force_login(lead)
    response = client.get(CSV, {"year": "last year"}, follow=True)
    assert "Choose a financial year" in response.content.decode()
    assert AuditEvent.objects.filter(action="download").count() == 0


def test_page_query_count_does_not_grow(
    client, lead, team, django_assert_max_num_queries
):
    client.force_login(lead)
    _concluded(team, lacked_capacity="")
    with django_assert_max_num_queries(60) as small:
        client.get(PAGE, {"year": YEAR})
    for _ in range(5):
        _concluded(team, lacked_capacity="")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(PAGE, {"year": YEAR})


def _sg3a_not_recorded(html: str) -> str:
    sg3a = html.split('id="table-SG3a"')[1].split("</table>")[0]
    row = sg3a.split(">Not recorded</th>")[1].split("</tr>")[0]
    return row.split('govuk-table__cell--numeric">')[1].split("<")[0]


def test_a_repeat_view_reuses_the_counted_return(
    client, lead, year_data, django_assert_max_num_queries
):
    client.force_login(lead)
    with django_assert_max_num_queries(60) as first:
        html = client.get(PAGE, {"year": YEAR}).content.decode()
    assert _sg3a_not_recorded(html) == "2"
    assert 'id="counted-at"' in html
    with django_assert_max_num_queries(60) as again:
        html = client.get(PAGE, {"year": YEAR}).content.decode()
    assert _sg3a_not_recorded(html) == "2"
    # Nothing changed: neither the return nor the list is counted again (no
    # query counts anything, where the first view's counted every table).
    assert sum("COUNT(" in q["sql"] for q in first.captured_queries) >= 8
    assert not any("COUNT(" in q["sql"] for q in again.captured_queries)
    assert len(again.captured_queries) <= len(first.captured_queries) - 12


def test_an_edit_shows_at_once_on_the_page(client, lead, year_data):
    ours, _theirs = year_data
    client.force_login(lead)
    html = client.get(PAGE, {"year": YEAR}).content.decode()
    assert _sg3a_not_recorded(html) == "2"
    assert ours.get_absolute_url() in html
    ours.lacked_capacity = "no"
    ours.save()
    html = client.get(PAGE, {"year": YEAR}).content.decode()
    assert _sg3a_not_recorded(html) == "1"
    capacity = html.split('id="check-capacity"')[1].split("<h3")[0]
    assert ours.get_absolute_url() not in capacity


def test_a_new_record_shows_at_once_on_the_page(client, lead, team, year_data):
    client.force_login(lead)
    html = client.get(PAGE, {"year": YEAR}).content.decode()
    assert _sg3a_not_recorded(html) == "2"
    _concluded(team, lacked_capacity="")
    html = client.get(PAGE, {"year": YEAR}).content.decode()
    assert _sg3a_not_recorded(html) == "3"


def test_downloads_always_count_afresh(client, lead, year_data):
    ours, _theirs = year_data
    client.force_login(lead)
    client.get(PAGE, {"year": YEAR})
    # A change that neither saves through the ORM nor leaves an audit event
    # (so the page's cached figures stand for up to ten minutes)...
    type(ours).objects.filter(pk=ours.pk).update(lacked_capacity="no")
    html = client.get(PAGE, {"year": YEAR}).content.decode()
    assert _sg3a_not_recorded(html) == "2"
    # ...is in the downloads at once.
    rows = list(
        csv.reader(io.StringIO(client.get(CSV, {"year": YEAR}).content.decode()))
    )
    assert ["SG3a", "Not recorded", "", "1"] in rows
    book = load_workbook(io.BytesIO(client.get(XLSX, {"year": YEAR}).content))
    assert ("Not recorded", 1) in list(book["SG3a"].iter_rows(values_only=True))


def test_the_cached_list_is_kept_apart_per_user(client, manager, lead, year_data):
    _ours, theirs = year_data
    client.force_login(lead)
    assert (
        theirs.get_absolute_url() in client.get(PAGE, {"year": YEAR}).content.decode()
    )
    client.force_login(manager)
    assert (
        theirs.get_absolute_url()
        not in client.get(PAGE, {"year": YEAR}).content.decode()
    )


def test_the_data_quality_list_is_bounded_with_show_more(
    client, lead, team, monkeypatch
):
    monkeypatch.setattr(sac, "DATA_QUALITY_LIMIT", 2)
    enquiries = [_concluded(team, lacked_capacity="") for _ in range(5)]
    urls = [enquiry.get_absolute_url() for enquiry in enquiries]
    client.force_login(lead)
    html = client.get(PAGE, {"year": YEAR}).content.decode()
    section = html.split('id="check-capacity"')[1].split("<h3")[0]
    assert "(5)" in html.split('id="check-capacity"')[1].split("</h3>")[0]
    assert [url in section for url in urls] == [True, True, False, False, False]
    assert "Show the next 2" in section
    more = section.split("Show the next 2")[0].rsplit('href="', 1)[1].split('"')[0]
    more = more.replace("&amp;", "&")
    html = client.get(PAGE + more).content.decode()
    section = html.split('id="check-capacity"')[1].split("<h3")[0]
    assert [url in section for url in urls] == [False, False, True, True, False]
    assert "Back to the first 2" in section
    more = section.split("Show the next 2")[0].rsplit('href="', 1)[1].split('"')[0]
    html = client.get(PAGE + more.replace("&amp;", "&")).content.decode()
    section = html.split('id="check-capacity"')[1].split("<h3")[0]
    assert [url in section for url in urls] == [False, False, False, False, True]
    assert "Show the next" not in section


def test_enquiries_at_fault_are_listed_by_the_day_they_concluded(lead, team):
    # Recorded in this order, concluded in another: the list follows the
    # days concluded (ids break ties), and "show more" carries on from the
    # last day and id shown.
    days = [datetime.date(2024, 9, 1), datetime.date(2024, 6, 1)]
    days += [datetime.date(2024, 9, 1), datetime.date(2025, 1, 1)]
    made = []
    for day in days:
        enquiry = _concluded(team, lacked_capacity="")
        Enquiry.objects.filter(pk=enquiry.pk).update(concluded_on=day)
        made.append(enquiry)
    start, end = sac_spec_bounds(YEAR)
    (first,) = [
        c for c in sac.data_quality(lead, start, end, limit=2) if c["key"] == "capacity"
    ]
    assert [item["url"] for item in first["items"]] == [
        made[1].get_absolute_url(),
        made[0].get_absolute_url(),
    ]
    assert first["next_after"] == f"2024-09-01~{made[0].pk}"
    (rest,) = [
        c
        for c in sac.data_quality(
            lead, start, end, more="capacity", after=first["next_after"], limit=2
        )
        if c["key"] == "capacity"
    ]
    assert [item["url"] for item in rest["items"]] == [
        made[2].get_absolute_url(),
        made[3].get_absolute_url(),
    ]
    assert rest["next_after"] is None and rest["total"] == 4


def test_a_bad_show_more_cursor_shows_the_first_records(client, lead, team):
    enquiry = _concluded(team, lacked_capacity="")
    client.force_login(lead)
    for query in (
        {"more": "capacity", "after": "abc"},
        {"more": "nonsense", "after": "1"},
        {"more": "capacity", "after": "9" * 40},
        {"more": "capacity", "after": "2024-13-45~1"},
        {"more": "capacity", "after": "2024-08-01~"},
    ):
        response = client.get(PAGE, {"year": YEAR, **query})
        assert response.status_code == 200
        html = response.content.decode()
        assert enquiry.get_absolute_url() in html
        # The first records, not labelled as carrying on from earlier ones.
        assert "Continued from earlier records" not in html, query


def test_data_quality_query_count_does_not_grow(
    client, lead, team, django_assert_max_num_queries
):
    client.force_login(lead)
    PersonFactory(date_of_birth=None, team=team)
    _concluded(team, lacked_capacity="", concern__person__date_of_birth=None)
    start, end = sac_spec_bounds(YEAR)
    with django_assert_max_num_queries(20) as small:
        sac.data_quality(lead, start, end)
    for _ in range(4):
        _concluded(team, lacked_capacity="", risk_assessment_outcome="")
        _concluded(team, concern__person__date_of_birth=None)
    with django_assert_max_num_queries(len(small.captured_queries)):
        found = sac.data_quality(lead, start, end)
    totals = {check["key"]: check["total"] for check in found}
    assert totals["capacity"] == 5
    assert totals["outcome"] == 4
    assert totals["dob"] == 5


def test_people_without_a_date_of_birth_are_counted_and_listed_in_one_query(
    lead, team, other_team
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mine = [_concluded(team, concern__person__date_of_birth=None) for _ in range(3)]
    # Someone else's team: counted for the lead, not for the team's manager.
    _concluded(other_team, concern__person__date_of_birth=None)
    manager = UserFactory(role=roles.TEAM_MANAGER, team=team)
    start, end = sac_spec_bounds(YEAR)
    with CaptureQueriesContext(connection) as queries:
        found = sac.data_quality(manager, start, end, limit=2)
    (dob,) = [check for check in found if check["key"] == "dob"]
    assert dob["total"] == 3
    assert len(dob["items"]) == 2
    assert dob["next_after"] is not None
    people = [q["sql"] for q in queries if '"date_of_birth" IS NULL' in q["sql"]]
    assert len(people) == 1
    # The next page still says how many there are in all.
    found = sac.data_quality(
        manager, start, end, more="dob", after=dob["next_after"], limit=2
    )
    (rest,) = [check for check in found if check["key"] == "dob"]
    assert rest["total"] == 3
    assert rest["continued"]
    shown = {item["url"] for item in dob["items"] + rest["items"]}
    assert shown == {e.concern.person.get_absolute_url() for e in mine}
    (everyone,) = [
        check for check in sac.data_quality(lead, start, end) if check["key"] == "dob"
    ]
    assert everyone["total"] == 4


# ---------------------------------------------------------------------------
# SAR register
# ---------------------------------------------------------------------------


def test_add_a_review_then_individuals(client, manager, team):
    client.force_login(manager)
    response = client.post(
        reverse("outcomes:sar_add"),
        {
            "title": "Review of Mr A",
            "commissioned_on": "2024-01-10",
            "completed_on": "2024-11-01",
        },
    )
    review = SafeguardingAdultsReview.objects.get()
    assert response["Location"] == reverse(
        "outcomes:sar_detail", args=[review.reference]
    )
    person = PersonFactory(team=team, family_name="Searchable")
    detail = reverse("outcomes:sar_detail", args=[review.reference])
    found = client.get(detail, {"name": "Searchable"}).content.decode()
    assert escape(person.full_name) in found
    client.post(f"{detail}?name=Searchable", {"person": str(person.pk), "died": "yes"})
    client.post(detail, {"person": "0", "died": "no"})
    assert set(review.individuals.values_list("person_id", "died")) == {
        (person.pk, True),
        (None, False),
    }
    cells = sac.compute_sac_return(YEAR)
    assert cells[("SG5a", "Where one or more individuals died", "")] == 1
    assert cells[("SG5b", "Who suffered serious harm and survived", "")] == 1
    html = client.get(detail).content.decode()
    assert escape(person.full_name) in html
    assert "Unnamed individual" in html


def test_review_form_errors_keep_input(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("outcomes:sar_add"),
        {"title": "", "commissioned_on": "2024-05-01", "completed_on": "2024-01-01"},
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a title for the review" in html
    assert "Date completed must be on or after the date commissioned" in html
    assert 'value="2024-05-01"' in html
    assert SafeguardingAdultsReview.objects.count() == 0


def test_individual_must_be_someone_the_user_can_see(client, manager, other_team):
    review = SafeguardingAdultsReview.objects.create(
        title="R", completed_on="2024-06-01"
    )
    hidden = PersonFactory(team=other_team, family_name="Hiddenperson")
    client.force_login(manager)
    detail = reverse("outcomes:sar_detail", args=[review.reference])
    found = client.get(detail, {"name": "Hiddenperson"}).content.decode()
    assert "No one you can see matches that name" in found
    # A hand-made post naming them is refused like a wrong choice.
    response = client.post(
        f"{detail}?name=Hiddenperson", {"person": str(hidden.pk), "died": "yes"}
    )
    assert "Select a person from the search results" in response.content.decode()
    assert SarIndividual.objects.count() == 0


def test_editing_a_review_detects_someone_elses_change(client, manager, lead):
    review = SafeguardingAdultsReview.objects.create(
        title="Original", completed_on="2024-06-01"
    )
    url = reverse("outcomes:sar_edit", args=[review.reference])
    client.force_login(lead)
    client.post(
        url, {"title": "Lead's title", "completed_on": "2024-06-01", "version": "1"}
    )
    client.force_login(manager)
    response = client.post(
        url, {"title": "Manager's title", "completed_on": "2024-06-01", "version": "1"}
    )
    html = response.content.decode()
    assert "Someone else saved this record" in html
    assert "Manager&#x27;s title" in html
    review.refresh_from_db()
    assert review.title == "Lead's title"
    assert review.version == 2


# ---------------------------------------------------------------------------
# Import page
# ---------------------------------------------------------------------------

GOOD = "\n".join(
    json.dumps(r)
    for r in (
        {"record": "person", "ref": "P1", "given_name": "A", "family_name": "B"},
        {"record": "concern", "ref": "C1", "person": "P1", "received_on": "2024-06-01"},
    )
)


def _upload(client, text: str, name="cases.jsonl", capture=None):
    """Upload a file; with ``capture`` (on-commit callbacks run: the check task
    runs at once with the immediate backend) open the job page it leads to."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post():
        return client.post(
            reverse("outcomes:import_upload"),
            {"file": SimpleUploadedFile(name, text.encode("utf-8"))},
        )

    if capture is None:
        return post()
    with capture(execute=True):
        response = post()
    assert response.status_code == 302
    return client.get(response["Location"])


@pytest.fixture
def importer(db):
    """Staff with the Administrator role who also leads on safeguarding.

    A plain Administrator is refused every outcomes page by
    CaseWorkersOnlyMiddleware until it honours ``msp_staff_page``.
    """
    user = UserFactory(username="imp", role=roles.SAFEGUARDING_LEAD)
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    user.is_staff = True
    user.save()
    return user


def test_only_administrators_may_import(client, manager, lead):
    import uuid

    for user in (manager, lead):
        client.force_login(user)
        assert client.get(reverse("outcomes:import_upload")).status_code == 403
        confirm = reverse("outcomes:import_confirm", args=[uuid.uuid4()])
        assert client.post(confirm).status_code == 403


def test_import_is_checked_first_then_confirmed(
    client, importer, django_capture_on_commit_callbacks
):
    import os

    from outcomes.models import InterchangeJob

    client.force_login(importer)
    response = _upload(client, GOOD, capture=django_capture_on_commit_callbacks)
    html = response.content.decode()
    assert "person: 1 to create" in html
    assert Person.objects.count() == 0
    job = InterchangeJob.objects.get()
    path = job.stored_path
    assert "msp-imports" in path
    assert os.path.exists(path)
    confirm = reverse("outcomes:import_confirm", args=[job.reference])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm)
    response = client.get(response["Location"])
    assert "Import complete" in response.content.decode()
    assert Person.objects.get().source_ref == "P1"
    assert not os.path.exists(path)
    # The upload cannot be confirmed twice.
    again = client.post(confirm, follow=True)
    assert "Upload the file again" in again.content.decode()
    assert Person.objects.count() == 1


def test_import_page_shows_every_problem_and_imports_nothing(
    client, importer, django_capture_on_commit_callbacks
):
    client.force_login(importer)
    bad = (
        GOOD
        + "\n"
        + json.dumps(
            {
                "record": "concern",
                "ref": "C2",
                "person": "P9",
                "received_on": "2024-13-01",
            }
        )
    )
    response = _upload(client, bad, capture=django_capture_on_commit_callbacks)
    html = response.content.decode()
    assert "There is a problem with cases.jsonl" in html
    assert "line 3: received_on: is not a real date" in html
    assert "line 3: person: no person with ref &#x27;P9&#x27;" in html
    assert "Import the records" not in html
    assert Person.objects.count() == 0


def test_import_form_requires_a_file(client, importer):
    client.force_login(importer)
    html = client.post(reverse("outcomes:import_upload"), {}).content.decode()
    assert "Choose a file to upload" in html
    html = _upload(client, "x", name="cases.exe").content.decode()
    assert "The file must be a .jsonl or .zip file" in html
