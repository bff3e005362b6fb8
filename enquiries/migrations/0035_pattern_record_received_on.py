"""Flag records carry their concern's date received (the dashboard's pattern
figures find a period's flags from their records of that period)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_dates(apps, schema_editor):
    record = apps.get_model("enquiries", "PatternFlagRecord")
    concern = apps.get_model("enquiries", "Concern")
    received = concern.objects.filter(pk=OuterRef("concern_id")).values(
        "received_on"
    )[:1]
    record.objects.update(received_on=Subquery(received))


class Migration(migrations.Migration):
    dependencies = [("enquiries", "0034_outcomes_counted_for_the_enquiry")]

    operations = [
        migrations.AddField(
            model_name="patternflagrecord",
            name="received_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(copy_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="patternflagrecord",
            name="received_on",
            field=models.DateField(db_index=True),
        ),
    ]
