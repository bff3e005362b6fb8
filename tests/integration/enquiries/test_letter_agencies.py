"""The outcome letter may list the organisations involved in the case
({{ agencies }}, issue 18): names and roles only, never anyone's contact
details, and nothing withdrawn."""

import datetime

import pytest

from enquiries import letter_text
from enquiries.factories import EnquiryFactory, OrganisationFactory
from enquiries.letter_text import LetterKind
from enquiries.models import InvolvedAgency
from enquiries.selectors.letters import letter_context

pytestmark = pytest.mark.django_db


def test_outcome_letter_lists_organisations_and_roles_only(team, practitioner):
    enquiry = EnquiryFactory(concern__person__team=team, concluded=True)
    police = OrganisationFactory(name="Shire Police")
    home = OrganisationFactory(name="Elm Care Home")
    bank = OrganisationFactory(name="Castle Bank")
    InvolvedAgency.objects.create(
        concern=enquiry.concern,
        organisation=home,
        role="provider",
        named_contact="Ann Manager",
        contact_details="ann@example.org 01234 567890",
    )
    InvolvedAgency.objects.create(
        concern=enquiry.concern, enquiry=enquiry, organisation=police, role="police"
    )
    InvolvedAgency.objects.create(
        concern=enquiry.concern,
        enquiry=enquiry,
        organisation=bank,
        role="other",
        role_detail="Holds savings",
        withdrawn_at=datetime.datetime.now(datetime.UTC),
        withdrawn_reason="Entered in error",
    )
    context = letter_context(enquiry, LetterKind.OUTCOME, practitioner)
    assert context["agencies"] == (
        "Elm Care Home (Care or support provider); Shire Police (Police)"
    )
    assert "Ann" not in context["agencies"] and "0123" not in context["agencies"]
    # Another adult's agencies never appear.
    other = EnquiryFactory(concern__person__team=team, concluded=True)
    assert letter_context(other, LetterKind.OUTCOME, practitioner)["agencies"] == ""


def test_the_placeholder_is_offered_to_outcome_letters_only():
    assert letter_text.check(LetterKind.OUTCOME, "Who helped: {{ agencies }}") == []
    assert letter_text.check(LetterKind.OUTCOME_EASY_READ, "{{ agencies }}") == []
    assert letter_text.check(LetterKind.REFERRER, "{{ agencies }}")
