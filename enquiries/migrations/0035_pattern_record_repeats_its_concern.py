"""Flag records carry their concern's date received and decision (the
dashboard's pattern figures find a period's flags, and those that led to an
enquiry, from their records)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_dates(apps, schema_editor):
    record = apps.get_model("enquiries", "PatternFlagRecord")
    concern = apps.get_model("enquiries", "Concern")
    of_record = concern.objects.filter(pk=OuterRef("concern_id"))
    record.objects.update(
        received_on=Subquery(of_record.values("received_on")[:1]),
        decision=Subquery(of_record.values("decision")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("enquiries", "0034_outcomes_counted_for_the_enquiry")]

    operations = [
        migrations.AddField(
            model_name="patternflagrecord",
            name="received_on",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="patternflagrecord",
            name="decision",
            field=models.CharField(
                blank=True,
                choices=[
                    ("section_42", "Section 42 enquiry"),
                    ("other_enquiry", "Other safeguarding enquiry"),
                    ("no_enquiry", "No safeguarding enquiry"),
                ],
                default="",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(copy_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="patternflagrecord",
            name="received_on",
            field=models.DateField(db_index=True),
        ),
    ]
