from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0021_partners_sharing_and_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="enquiry",
            name="findings_on",
            field=models.DateField(
                blank=True, null=True, verbose_name="Date of the findings"
            ),
        ),
        migrations.AddField(
            model_name="enquiry",
            name="outcome_on",
            field=models.DateField(
                blank=True, null=True, verbose_name="Date of the outcome"
            ),
        ),
    ]
