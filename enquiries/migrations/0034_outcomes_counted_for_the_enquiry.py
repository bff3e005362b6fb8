"""The stored outcome flags follow the SAC return's rule (decision 0034).

A desired outcome counts for an enquiry when it is recorded on that enquiry,
or on its concern with no enquiry named; before, one recorded on another
enquiry of the same concern counted too. The narrower rule can only turn a
flag off, so only enquiries with ``outcomes_expressed`` set are read again,
and only those whose flags change are written.
"""

from django.db import migrations
from django.db.models import Case, Exists, OuterRef, Q, Value, When

# SAC SG4a's "the individual or their representative" (enquiries.models.ASKED_SOURCES
# when this was written).
ASKED_SOURCES = ("adult", "representative", "advocate", "imca")


def _recorded_for(outcomes) -> Case:
    return Case(
        When(
            Exists(outcomes.filter(enquiry=OuterRef("pk")))
            | Exists(
                outcomes.filter(enquiry__isnull=True, concern_id=OuterRef("concern_id"))
            ),
            then=Value(True),
        ),
        default=Value(False),
    )


def count_only_the_enquiry_and_its_concern(apps, schema_editor):
    enquiry = apps.get_model("enquiries", "Enquiry")
    outcome = apps.get_model("enquiries", "DesiredOutcome")
    expressed = outcome.objects.exclude(status="withdrawn")
    from_adult = expressed.filter(expressed_by__in=ASKED_SOURCES)
    # Only the rows whose flags change are written (an UPDATE of every
    # flagged enquiry would rewrite most of the table for nothing).
    changed = (
        enquiry.objects.filter(outcomes_expressed=True)
        .annotate(_expressed=_recorded_for(expressed))
        .annotate(_from_adult=_recorded_for(from_adult))
        .filter(
            Q(_expressed=False)
            | Q(_from_adult=False, outcomes_from_adult_recorded=True)
        )
    )
    enquiry.objects.filter(pk__in=changed.values("pk")).update(
        outcomes_expressed=_recorded_for(expressed),
        outcomes_from_adult_recorded=_recorded_for(from_adult),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0033_person_no_date_of_birth_index"),
    ]

    operations = [
        migrations.RunPython(
            count_only_the_enquiry_and_its_concern, migrations.RunPython.noop
        ),
    ]
