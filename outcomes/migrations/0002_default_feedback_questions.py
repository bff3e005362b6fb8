"""The first version of the feedback question bank (MSP outcomes framework).

The wording follows the experience questions of the LGA/ADASS framework as far
as they are known (domain reference 2.2), plus two from local closure
feedback. Administrators publish a new version in admin when the confirmed
wording is available; answers keep the version they were given against.
"""

from django.db import migrations

QUESTIONS = [
    ("Do you feel safer?", "Does the person feel safer?"),
    ("Were you listened to?", "Was the person listened to?"),
    (
        "Were you involved in decisions?",
        "Was the person involved in decisions?",
    ),
    (
        "Are you happy with the outcome?",
        "Are you happy with the outcome for the person?",
    ),
    (
        "Were you helped to understand what was happening?",
        "Were you helped to understand what was happening?",
    ),
    ("Were you treated with respect?", "Was the person treated with respect?"),
]


def create_bank(apps, schema_editor):
    Questionnaire = apps.get_model("outcomes", "FeedbackQuestionnaire")
    Question = apps.get_model("outcomes", "FeedbackQuestion")
    if Questionnaire.objects.exists():
        return
    bank = Questionnaire.objects.create(
        name="Making Safeguarding Personal: your experience",
        version=1,
        is_active=True,
    )
    for order, (text, representative_text) in enumerate(QUESTIONS, start=1):
        Question.objects.create(
            questionnaire=bank,
            order=order,
            text=text,
            representative_text=representative_text,
            scale="agreement",
        )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(create_bank, migrations.RunPython.noop)]
