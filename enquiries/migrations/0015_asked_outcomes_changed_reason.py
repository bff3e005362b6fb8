from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0014_event_dates"),
    ]

    operations = [
        migrations.AddField(
            model_name="enquiry",
            name="asked_desired_outcomes_reason",
            field=models.TextField(
                blank=True, verbose_name="Why the answer was changed"
            ),
        ),
    ]
