"""The roles staff can have, as Django groups, and what each may do.

The groups are created by a data migration (``msp/migrations``); an
administrator assigns people to them in Django admin.
"""

PRACTITIONER = "Practitioner"
TEAM_MANAGER = "Team manager"
SAFEGUARDING_LEAD = "Safeguarding lead"
ADMINISTRATOR = "Administrator"
AUDITOR = "Auditor"

ALL_ROLES = [PRACTITIONER, TEAM_MANAGER, SAFEGUARDING_LEAD, ADMINISTRATOR, AUDITOR]

# Custom permission codenames (declared on msp.Team) granted to each role.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    PRACTITIONER: ["manage_cases"],
    TEAM_MANAGER: ["manage_cases", "sign_off_closure", "view_reports"],
    SAFEGUARDING_LEAD: [
        "manage_cases",
        "sign_off_closure",
        "view_reports",
        "view_all_cases",
    ],
    ADMINISTRATOR: [],
    AUDITOR: ["view_audit"],
}


def has_role_perm(user, codename: str) -> bool:
    """True if the user's roles grant ``msp.<codename>``."""
    return user.is_authenticated and user.has_perm(f"msp.{codename}")
