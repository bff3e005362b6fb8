"""A hand-made "next page" cursor never breaks a page: at the ends of the
calendar, without a time zone, or unreadable, the page answers 200."""

import pytest
from django.urls import reverse

from enquiries.factories import ConcernFactory

CURSORS = [
    "9999-12-31T23:59:59~1",
    "0001-01-01T00:00:00~1",
    "9999-12-31T23:59:59+00:00~1",
    "2026-01-01T00:00:00~99999999999999999999",
    "not-a-date~1",
    "~",
]


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", CURSORS)
def test_chronology_with_any_cursor_answers(client, practitioner, team, cursor):
    concern = ConcernFactory(person__team=team, team=team)
    client.force_login(practitioner)
    url = reverse("enquiries:chronology", args=[concern.person.reference])
    response = client.get(url, {"after": cursor})
    assert response.status_code == 200
