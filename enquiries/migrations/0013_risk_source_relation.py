import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0012_open_enquiries_by_start"),
    ]

    operations = [
        migrations.AddField(
            model_name="risk",
            name="source_relation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="risks_caused",
                to="enquiries.relationship",
                verbose_name="Someone recorded in the adult's relationships",
            ),
        ),
        migrations.AlterField(
            model_name="risk",
            name="source",
            field=models.CharField(
                choices=[
                    ("service_provider", "Service provider"),
                    ("known", "Someone known to the adult"),
                    ("unknown", "Someone unknown to the adult"),
                    ("self", "The adult themself (self-neglect)"),
                ],
                max_length=20,
                verbose_name="Source of risk",
            ),
        ),
    ]
