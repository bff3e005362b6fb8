"""Names are shown as typed, escaped: apostrophes display, markup never runs."""

import pytest
from django.urls import reverse

from enquiries.factories import PersonFactory


@pytest.mark.django_db
def test_person_page_shows_apostrophe_names_and_escapes_markup(
    client, practitioner, team
):
    person = PersonFactory(team=team, given_name="Siobhán", family_name="O'Brien<b>")
    client.force_login(practitioner)
    html = client.get(
        reverse("enquiries:person_detail", args=[person.reference])
    ).content.decode()
    assert "O&#x27;Brien&lt;b&gt;" in html
    assert "O'Brien<b>" not in html
