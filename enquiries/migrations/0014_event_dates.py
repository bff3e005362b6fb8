"""Event dates, separate from the time each record was typed in (issue 15).

Existing rows get their event date from the time they were recorded, which is
the best the old records know.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import TruncDate


def fill_event_dates(apps, schema_editor):
    Concern = apps.get_model("enquiries", "Concern")
    PersonView = apps.get_model("enquiries", "PersonView")
    ConsentDecision = apps.get_model("enquiries", "ConsentDecision")
    DesiredOutcome = apps.get_model("enquiries", "DesiredOutcome")
    ChronologyEvent = apps.get_model("enquiries", "ChronologyEvent")
    Concern.objects.filter(decided_at__isnull=False).update(
        decided_on=TruncDate("decided_at")
    )
    PersonView.objects.update(given_on=TruncDate("recorded_at"))
    ConsentDecision.objects.update(decided_on=TruncDate("recorded_at"))
    DesiredOutcome.objects.filter(evaluated_at__isnull=False).update(
        evaluated_on=TruncDate("evaluated_at")
    )
    ChronologyEvent.objects.update(recorded_at=F("occurred_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0013_risk_source_relation"),
    ]

    operations = [
        migrations.AddField(
            model_name="chronologyevent",
            name="recorded_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="concern",
            name="decided_on",
            field=models.DateField(
                blank=True, null=True, verbose_name="Date of the decision"
            ),
        ),
        migrations.AddField(
            model_name="consentdecision",
            name="decided_on",
            field=models.DateField(
                blank=True, null=True, verbose_name="Date of the decision"
            ),
        ),
        migrations.AddField(
            model_name="desiredoutcome",
            name="evaluated_on",
            field=models.DateField(
                blank=True, null=True, verbose_name="Date evaluated"
            ),
        ),
        migrations.AddField(
            model_name="enquiry",
            name="outcomes_judgement_reason",
            field=models.TextField(
                blank=True,
                verbose_name="Why the adult could not take part in the evaluation",
            ),
        ),
        migrations.AddField(
            model_name="personview",
            name="given_on",
            field=models.DateField(blank=True, null=True, verbose_name="Date given"),
        ),
        migrations.RunPython(fill_event_dates, migrations.RunPython.noop),
    ]
