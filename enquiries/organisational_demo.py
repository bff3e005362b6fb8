"""Demo large-scale enquiries (decision 0028), called by ``seed_demo``.

One is open: about the care home that the most open north-team enquiries
name as the source of harm, with (up to) three of those adults' enquiries
linked, contact with the provider and the CQC, a meeting of the agencies
involved, and two actions (one done, one open). The other, about the next
provider the team's enquiries name (or a made-up home care agency), is
concluded, signed off by the team manager and closed.
Everything is written through the services, so each step is audited as it
would be from the pages.
"""

from __future__ import annotations

import datetime
from collections import Counter

from enquiries.models import (
    Enquiry,
    InvolvedAgency,
    Organisation,
    OrganisationalEnquiry,
    Risk,
)
from enquiries.services import enquiry as enquiry_services
from enquiries.services import organisational as services
from enquiries.services import partners as partner_services

LINKED = 3


def _open_unlinked(team):
    return Enquiry.objects.filter(
        team=team, organisational_enquiry__isnull=True
    ).exclude(status=Enquiry.Status.CLOSED)


def _busiest_provider(team) -> Organisation | None:
    """The provider named on the risks of the most open enquiries in ``team``."""
    pairs = set(
        Risk.objects.filter(
            is_withdrawn=False,
            source_organisation__isnull=False,
            concern__enquiries__in=_open_unlinked(team),
        ).values_list("source_organisation_id", "concern__enquiries")
    )
    named = Counter(provider for provider, _ in pairs)
    if not named:
        return None
    best = max(named.values())
    return (
        Organisation.objects.filter(
            pk__in=[pk for pk, count in named.items() if count == best]
        )
        .order_by("name", "pk")
        .first()
    )


def _link_naming(manager, org) -> None:
    """Link (up to three of) the team's open enquiries naming the provider."""
    candidates = services.names_provider(_open_unlinked(org.team), org)
    for enquiry in candidates.order_by("pk")[:LINKED]:
        enquiry_services.link_to_organisational(
            user=manager, organisational=org, enquiry=enquiry
        )


def _involve(manager, org) -> None:
    """The home, and community nursing, as agencies involved in the first two
    linked adults' cases: the meeting's attendees are chosen from these."""
    linked = list(
        Enquiry.objects.filter(organisational_enquiry=org)
        .select_related("concern")
        .order_by("pk")[:2]
    )
    nursing = Organisation.objects.filter(name="Northshire Hospitals NHS Trust").first()
    pairs = [
        (org.organisation, InvolvedAgency.Role.PROVIDER, "Jo Bell, registered manager"),
        (nursing, InvolvedAgency.Role.HEALTH, "District nursing team"),
    ]
    for enquiry, (organisation, role, contact) in zip(linked, pairs, strict=False):
        if organisation is None:
            continue
        partner_services.add_agency(
            user=manager,
            enquiry=enquiry,
            data={
                "organisation": organisation,
                "role": role,
                "named_contact": contact,
                "involved_from": max(enquiry.started_on, org.started_on),
            },
        )


def _open_one(*, staff, team, today) -> OrganisationalEnquiry | None:
    manager = staff["manager"]
    provider = _busiest_provider(team)
    if provider is None:
        return None
    org = enquiry_services.start_organisational_enquiry(
        user=manager,
        data={
            "organisation": provider,
            "team": team,
            "lead": manager,
            "trigger": "Three concerns in six weeks about the same home: residents "
            "got up early to suit the night rota, missed medicines and pressure "
            "care. A whistleblower has contacted the CQC.",
            "started_on": today - datetime.timedelta(days=21),
            "placements_embargoed": True,
            "provider_actions": "Agency night staff replaced by the home's own "
            "staff; daily medicines audit by the deputy manager.",
        },
    )
    _link_naming(manager, org)
    org = services.change_organisational(
        user=manager,
        organisational=org,
        expected_version=org.version,
        data={
            "provider_contact": "Registered manager (Jo Bell) told of the "
            "enquiry and the embargo; she agreed to share rotas and MAR charts.",
            "provider_contacted_on": today - datetime.timedelta(days=20),
            "regulator_contact": "CQC inspector told of the pattern of concerns; "
            "an unannounced inspection is planned.",
            "regulator_contacted_on": today - datetime.timedelta(days=19),
        },
    )
    _involve(manager, org)
    agencies = list(services.agencies_for(org)[:2])
    services.record_meeting(
        user=manager,
        organisational=org,
        data={
            "held_on": today - datetime.timedelta(days=14),
            "attendees": agencies,
            "other_attendees": "Jo Bell, registered manager of the home\n"
            "CQC inspector (by phone)",
            "minutes": "Each adult's own enquiry continues. The home will stop "
            "waking residents before 7am at once; the council's quality team "
            "will visit weekly; rotas and MAR charts shared by Friday.",
        },
    )
    audit = services.add_action(
        user=manager,
        organisational=org,
        data={
            "description": "Audit every resident's medicines records (MAR charts)",
            "owner": "Council quality assurance team",
            "due_on": today - datetime.timedelta(days=7),
        },
    )
    services.change_action(
        user=manager,
        action=audit,
        expected_version=audit.version,
        data={
            "status": "done",
            "status_note": "Audit done: two gaps found, both put right.",
        },
    )
    services.add_action(
        user=manager,
        organisational=org,
        data={
            "description": "Review pressure care plans for all nursing residents",
            "owner": "Community nursing (Northshire Hospitals NHS Trust)",
            "due_on": today + datetime.timedelta(days=14),
        },
    )
    return org


def _closed_one(*, staff, team, today) -> OrganisationalEnquiry:
    manager = staff["manager"]
    # The next provider the team's open enquiries name (linked below), or a
    # made-up home care agency when no other is named.
    agency = _busiest_provider(team)
    if agency is None:
        agency, _ = Organisation.objects.get_or_create(
            name="Swift Hands Home Care (demo)",
            defaults={"kind": Organisation.Kind.DOMICILIARY, "postcode": "NE2 7ZZ"},
        )
    org = enquiry_services.start_organisational_enquiry(
        user=manager,
        data={
            "organisation": agency,
            "team": team,
            "lead": manager,
            "trigger": "Missed and late care visits reported by several "
            "families over one month.",
            "started_on": today - datetime.timedelta(days=200),
            "placements_embargoed": False,
        },
    )
    _link_naming(manager, org)
    services.record_meeting(
        user=manager,
        organisational=org,
        data={
            "held_on": today - datetime.timedelta(days=190),
            "other_attendees": "Agency director; council commissioning officer",
            "minutes": "Agency to use electronic visit monitoring and report "
            "missed visits to the council weekly.",
        },
    )
    action = services.add_action(
        user=manager,
        organisational=org,
        data={
            "description": "Weekly missed-visit report to commissioning",
            "owner": str(agency),
            "due_on": today - datetime.timedelta(days=120),
        },
    )
    services.change_action(
        user=manager,
        action=action,
        expected_version=action.version,
        data={"status": "done", "status_note": "Reports received for 12 weeks."},
    )
    org = services.conclude_organisational(
        user=manager,
        organisational=org,
        expected_version=org.version,
        data={
            "concluded_on": today - datetime.timedelta(days=60),
            "findings_summary": "Rota gaps caused the missed visits; the agency "
            "recruited and visit monitoring shows no missed visits since.",
        },
    )
    return services.close_organisational(
        user=manager, organisational=org, expected_version=org.version
    )


def create_demo_organisational(*, staff: dict, out) -> None:
    if OrganisationalEnquiry.objects.exists():
        return
    north = staff["teams"][0]
    today = datetime.date.today()
    opened = _open_one(staff=staff, team=north, today=today)
    _closed_one(staff=staff, team=north, today=today)
    if opened is not None:
        linked = Enquiry.objects.filter(organisational_enquiry=opened).count()
        out.write(
            f"Demo large-scale enquiries: one open about {opened.organisation} "
            f"({linked} adults linked), one closed.\n"
        )
    else:
        out.write("Demo large-scale enquiries: one closed.\n")
