"""The concern page shows what the adult said, as written, not "Recorded";
their words are quoted once, whatever quote marks were typed round them."""

import pytest

from enquiries import codes
from enquiries.factories import (
    ConcernFactory,
    DesiredOutcomeFactory,
    PersonFactory,
    PersonViewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(team):
    return ConcernFactory(person=PersonFactory(team=team), team=team)


def test_the_concern_page_shows_the_adults_own_words(client, practitioner, concern):
    PersonViewFactory(
        person=concern.person,
        concern=concern,
        views_text='"I don\'t want him in the house any more."',
        own_words=True,
    )
    PersonViewFactory(
        person=concern.person,
        concern=concern,
        source=codes.ViewSource.REFERRER,
        source_name="Jo Smith",
        views_text="Her neighbour says she is frightened of him.",
        own_words=False,
    )
    DesiredOutcomeFactory(
        person=concern.person, concern=concern, text="“To keep my own money.”"
    )
    client.force_login(practitioner)
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "What the adult said" in html
    assert "“I don&#x27;t want him in the house any more.”" in html
    assert "Her neighbour says she is frightened of him." in html
    assert "Jo Smith" in html
    assert "“To keep my own money.”" in html
    # Never doubled, never a stop after the closing quote.
    for doubled in ("““", "””", "“&quot;", "&quot;”", "”."):
        assert doubled not in html


def test_a_superseded_view_is_not_shown_as_what_they_said(
    client, practitioner, concern
):
    old = PersonViewFactory(
        person=concern.person, concern=concern, views_text="Typed wrongly"
    )
    PersonViewFactory(
        person=concern.person,
        concern=concern,
        views_text="I want to stay at home",
        supersedes=old,
        correction_reason="Typo",
    )
    client.force_login(practitioner)
    html = client.get(concern.get_absolute_url()).content.decode()
    section = html.split("What the adult said", 1)[1].split("</section>", 1)[0]
    assert "I want to stay at home" in section
    assert "Typed wrongly" not in section
