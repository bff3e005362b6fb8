"""Demo staff and teams for ``seed_demo``: one login per role."""

from django.conf import settings

from msp import roles
from msp.factories import TeamFactory, UserFactory

DEMO_LOGINS = [
    ("practitioner", roles.PRACTITIONER, "Priya", "Shah", "Social worker"),
    ("manager", roles.TEAM_MANAGER, "Morgan", "Ellis", "Team manager"),
    ("lead", roles.SAFEGUARDING_LEAD, "Lesley", "Okafor", "Safeguarding adults lead"),
    ("auditor", roles.AUDITOR, "Alex", "Reid", "Information governance officer"),
    ("admin", roles.ADMINISTRATOR, "Ade", "Bello", "System administrator"),
]


def create_demo_staff(password: str) -> dict:
    """Teams, the five demo logins and a few colleagues. Safe to run twice."""
    north = TeamFactory(
        name="North locality team", code="north", areas="NE1\nNE2\nNE3\nNorthtown"
    )
    south = TeamFactory(name="South locality team", code="south", areas="SE1\nSE2")
    staff = {}
    for username, role, first, last, title in DEMO_LOGINS:
        user = UserFactory(
            username=username,
            first_name=first,
            last_name=last,
            job_title=title,
            role=role,
            team=north if role in (roles.PRACTITIONER, roles.TEAM_MANAGER) else None,
        )
        user.set_password(password)
        if role == roles.ADMINISTRATOR:
            user.is_staff = True
        user.save()
        staff[username] = user
    staff["colleague"] = UserFactory(
        username="colleague",
        role=roles.PRACTITIONER,
        team=north,
        job_title="Social worker",
    )
    staff["south_worker"] = UserFactory(
        username="south_worker", role=roles.PRACTITIONER, team=south
    )
    staff["south_manager"] = UserFactory(
        username="south_manager", role=roles.TEAM_MANAGER, team=south
    )
    for extra in ("colleague", "south_worker", "south_manager"):
        staff[extra].set_password(password)
        staff[extra].save()
    staff["teams"] = [north, south]
    return staff


def demo_password() -> str:
    return settings.DEMO_PASSWORD
