"""Seed the local conditions councils commonly attach to direct payments.

Administrators can add, rename or deactivate these in Django admin.
"""

from django.db import migrations

DEFAULT_TYPES = [
    ("separate-account", "Keep the payment in a separate bank account or prepaid card", False),
    ("keep-records", "Keep records and receipts of what the payment is spent on", False),
    ("provide-information", "Provide statements or information when the council asks", False),
    ("pay-contribution", "Pay the assessed contribution into the payment account", False),
    ("not-named-party", "Do not buy care or support from a named person or organisation", True),
    ("employer-duties", "Meet employer duties for personal assistants (payroll, HMRC, pension, insurance)", False),
    ("pa-dbs", "Personal assistants have a DBS check in line with local policy", False),
    ("return-surplus", "Return money not spent above an agreed amount", False),
    ("notify-changes", "Tell the council about changes in circumstances", False),
    ("registered-provider", "Use only a registered care provider", False),
    ("other", "Other condition", True),
]


def seed(apps, schema_editor):
    LocalConditionType = apps.get_model("budgets", "LocalConditionType")
    for order, (code, name, names_a_party) in enumerate(DEFAULT_TYPES, start=1):
        LocalConditionType.objects.get_or_create(
            code=code,
            defaults={"name": name, "names_a_party": names_a_party, "sort_order": order * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("budgets", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
