"""Factories for staff and teams, shared by the tests and ``seed_demo``.

Every value is made up: Faker with the en-GB locale. Never real people.
"""

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from msp import roles

factory.Faker._DEFAULT_LOCALE = "en_GB"


class PrintedFaker(factory.Faker):
    """Faker text with the typographic apostrophe (O’Connor), as names are
    usually printed. Keeps made-up names realistic while tests can compare
    them with rendered HTML, which escapes the ASCII apostrophe. Escaping
    itself is tested with explicit ASCII-apostrophe names."""

    def evaluate(self, instance, step, extra):
        value = super().evaluate(instance, step, extra)
        return value.replace("'", "\u2019") if isinstance(value, str) else value


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = "msp.Team"
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Locality team {n + 1}")
    code = factory.Sequence(lambda n: f"team-{n + 1}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = "msp.User"
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n + 1}")
    first_name = PrintedFaker("first_name")
    last_name = PrintedFaker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")
    job_title = "Social worker"

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted == roles.ADMINISTRATOR:
                self.is_staff = True
                self.save(update_fields=["is_staff"])

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.add(extracted)
