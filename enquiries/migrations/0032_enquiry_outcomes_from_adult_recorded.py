from django.db import migrations, models
from django.db.models import Case, Exists, OuterRef, Value, When

# SAC SG4a's "the individual or their representative" (enquiries.models.ASKED_SOURCES
# when this was written).
ASKED_SOURCES = ("adult", "representative", "advocate", "imca")


def fill_outcomes_from_adult_recorded(apps, schema_editor):
    """Existing enquiries: the rule of enquiries.models.refresh_outcome_flags.

    Only enquiries with an outcome expressed can have one from the adult, so
    the others are left at False without being read again.
    """
    enquiry = apps.get_model("enquiries", "Enquiry")
    outcome = apps.get_model("enquiries", "DesiredOutcome")
    from_adult = outcome.objects.exclude(status="withdrawn").filter(
        expressed_by__in=ASKED_SOURCES
    )
    enquiry.objects.filter(outcomes_expressed=True).update(
        outcomes_from_adult_recorded=Case(
            When(
                Exists(from_adult.filter(enquiry=OuterRef("pk")))
                | Exists(from_adult.filter(concern_id=OuterRef("concern_id"))),
                then=Value(True),
            ),
            default=Value(False),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0031_person_name_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="enquiry",
            name="outcomes_from_adult_recorded",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(
            fill_outcomes_from_adult_recorded, migrations.RunPython.noop
        ),
    ]
