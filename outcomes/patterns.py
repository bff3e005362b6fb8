"""Pattern figures for the dashboard: how many flags, how many acknowledged,
how many led to an enquiry (issue 19). Counted over the flags with a concern
the user may see received in the dashboard's period (and of its team, when
one is chosen; ``enquiries.selectors.patterns.flags_for``), in one query, and
kept like the dashboard's other figures until a counted record changes
(every change to a flag comes with an audit line, which the data version
includes). The dashboard's other slices (worker, kind, risk) are about
enquiries, which a pattern of concerns need not have."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from enquiries.models import Concern, PatternFlagRecord, PatternRule
from enquiries.selectors.patterns import flags_for
from outcomes.reports import ReportFilter

ENQUIRY_DECISIONS = [Concern.Decision.SECTION_42, Concern.Decision.OTHER_ENQUIRY]


def pattern_figures(user, filters: ReportFilter) -> dict:
    # The decision each record repeats from its concern (no concern read).
    led = PatternFlagRecord.objects.filter(
        flag=OuterRef("pk"), decision__in=ENQUIRY_DECISIONS
    )
    flags = flags_for(
        user, received=(filters.start, filters.end), team_id=filters.team_id
    ).alias(led=Exists(led))
    rows = flags.values("kind").annotate(
        total=Count("pk"),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        led_to_enquiry=Count("pk", filter=Q(led=True)),
    )
    by_kind = {row["kind"]: row for row in rows.order_by("kind")}
    kinds = []
    totals = {"total": 0, "acknowledged": 0, "led_to_enquiry": 0}
    for kind, label in PatternRule.Kind.choices:
        row = by_kind.get(kind, {})
        figures = {name: row.get(name, 0) for name in totals}
        for name in totals:
            totals[name] += figures[name]
        kinds.append({"kind": kind, "label": label, **figures})
    return {"kinds": kinds, **totals}


def cached_pattern_figures(user, filters: ReportFilter) -> dict:
    """:func:`pattern_figures`, kept like the dashboard's figures
    (:func:`outcomes.sac.kept_report`)."""
    from outcomes.sac import kept_report

    return kept_report(
        "patterns", user, filters, lambda: pattern_figures(user, filters)
    )
