"""Factories for people, concerns and enquiries, shared by tests and seed_demo.

Made-up data only (Faker, en-GB locale). Traits express states, e.g.
``EnquiryFactory(concluded=True)``.
"""

import datetime

import factory
from factory.django import DjangoModelFactory

from enquiries import codes
from msp.factories import PrintedFaker, TeamFactory, UserFactory

factory.Faker._DEFAULT_LOCALE = "en_GB"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = "enquiries.Organisation"

    name = PrintedFaker("company")
    kind = "care_home"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = "enquiries.Person"

    given_name = PrintedFaker("first_name")
    family_name = PrintedFaker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=19, maximum_age=99)
    gender = factory.Iterator([codes.Gender.FEMALE, codes.Gender.MALE])
    ethnicity = codes.Ethnicity.WHITE_BRITISH
    primary_support_reason = codes.SupportReason.PHYSICAL_PERSONAL_CARE
    address = PrintedFaker("street_address")
    postcode = factory.Faker("postcode")
    address_type = codes.AddressType.OWN_HOME
    team = factory.SubFactory(TeamFactory)


class ConcernFactory(DjangoModelFactory):
    class Meta:
        model = "enquiries.Concern"

    person = factory.SubFactory(PersonFactory)
    team = factory.LazyAttribute(lambda c: c.person.team)
    received_on = factory.LazyFunction(
        lambda: datetime.date.today() - datetime.timedelta(days=3)
    )
    received_via = "phone"
    referrer_type = "family"
    referrer_name = PrintedFaker("name")
    summary = "Neighbour reports the adult has had no food in the house for days."
    adult_aware = "yes"


class RiskFactory(DjangoModelFactory):
    class Meta:
        model = "enquiries.Risk"

    concern = factory.SubFactory(ConcernFactory)
    risk_type = codes.RiskType.NEGLECT_OMISSION
    location = codes.RiskLocation.OWN_HOME
    source = codes.RiskSource.KNOWN
    source_person_name = PrintedFaker("name")


class EnquiryFactory(DjangoModelFactory):
    class Meta:
        model = "enquiries.Enquiry"

    concern = factory.SubFactory(
        ConcernFactory,
        status="decided",
        decision="section_42",
        criterion_care_needs="yes",
        criterion_abuse="yes",
        criterion_unable_to_protect="yes",
    )
    kind = "section_42"
    kind_at_start = factory.SelfAttribute("kind")
    team = factory.LazyAttribute(lambda e: e.concern.team)
    started_on = factory.LazyAttribute(lambda e: e.concern.received_on)
    status = "in_progress"

    class Params:
        concluded = factory.Trait(
            status="closed",
            concluded_on=factory.LazyAttribute(
                lambda e: e.started_on + datetime.timedelta(days=30)
            ),
            risk_assessment_outcome="risk_identified_action",
            risk_result="reduced",
            lacked_capacity="no",
            asked_desired_outcomes="yes",
            outcomes_achieved="fully",
            closure_reason="outcomes_achieved",
            adult_view_on_closure="agrees",
        )


class PersonViewFactory(DjangoModelFactory):
    class Meta:
        model = "enquiries.PersonView"

    person = factory.SubFactory(PersonFactory)
    stage = codes.Stage.CONCERN
    source = codes.ViewSource.ADULT
    method = codes.ViewMethod.FACE_TO_FACE
    views_text = "I just want to feel safe in my own home again."
    own_words = True


class DesiredOutcomeFactory(DjangoModelFactory):
    class Meta:
        model = "enquiries.DesiredOutcome"

    person = factory.SubFactory(PersonFactory)
    stage = codes.Stage.CONCERN
    text = "I want my money back and for my nephew to stop asking for it."


__all__ = [
    "EnquiryFactory",
    "ConcernFactory",
    "DesiredOutcomeFactory",
    "OrganisationFactory",
    "PersonFactory",
    "PersonViewFactory",
    "RiskFactory",
    "TeamFactory",
    "UserFactory",
]
