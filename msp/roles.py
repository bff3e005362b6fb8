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
    TEAM_MANAGER: ["manage_cases", "sign_off_closure", "view_reports", "allocate_work"],
    SAFEGUARDING_LEAD: [
        "manage_cases",
        "sign_off_closure",
        "view_reports",
        "view_all_cases",
        "allocate_work",
    ],
    ADMINISTRATOR: [],
    AUDITOR: ["view_audit"],
}


# The rights that let a role read case records. Granting a role that has any
# of them is audited and the safeguarding leads are told (msp/admin.py).
CASE_READING_PERMISSIONS = {"manage_cases", "view_all_cases"}
CASE_READING_ROLES = [
    role
    for role in ALL_ROLES
    if CASE_READING_PERMISSIONS.intersection(ROLE_PERMISSIONS[role])
]


def has_role_perm(user, codename: str) -> bool:
    """True if the user's roles grant ``msp.<codename>``."""
    return user.is_authenticated and user.has_perm(f"msp.{codename}")
