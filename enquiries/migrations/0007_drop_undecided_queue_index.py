# The undecided-concerns index from 0005 is never chosen by PostgreSQL; drop it.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0006_sac_return_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="concern",
            name="enq_concern_undecided",
        ),
    ]
