"""Flag records carry their concern's date received, decision, team and
adult (the dashboard's pattern figures find a period's flags that a user may
see, and those that led to an enquiry, from their records)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_from_concerns(apps, schema_editor):
    record = apps.get_model("enquiries", "PatternFlagRecord")
    concern = apps.get_model("enquiries", "Concern")
    of_record = concern.objects.filter(pk=OuterRef("concern_id"))
    record.objects.update(
        **{
            name: Subquery(of_record.values(name)[:1])
            for name in ("received_on", "decision", "team_id", "person_id")
        }
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
        migrations.AddField(
            model_name="patternflagrecord",
            name="team",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="msp.team",
            ),
        ),
        migrations.AddField(
            model_name="patternflagrecord",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="enquiries.person",
            ),
        ),
        migrations.RunPython(copy_from_concerns, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="patternflagrecord",
            name="team",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="msp.team",
            ),
        ),
        migrations.AlterField(
            model_name="patternflagrecord",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="enquiries.person",
            ),
        ),
        migrations.AlterField(
            model_name="patternflagrecord",
            name="received_on",
            field=models.DateField(db_index=True),
        ),
    ]
