"""Starter categories for desired outcomes (domain reference 2.1), if none exist.

Administrators change them in admin. A category is only ever shown beside the
adult's own words, never instead of them.
"""

from django.db import migrations

CATEGORIES = [
    "To feel safer",
    "To keep a relationship",
    "To get money or belongings back",
    "Justice: the person responsible held to account",
    "For it not to happen to others",
    "To stay in my home",
    "Other",
]


def create_categories(apps, schema_editor):
    OutcomeCategory = apps.get_model("enquiries", "OutcomeCategory")
    if OutcomeCategory.objects.exists():
        return
    for order, name in enumerate(CATEGORIES, start=1):
        OutcomeCategory.objects.create(name=name, order=order * 10, is_active=True)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_default_feedback_questions")]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
