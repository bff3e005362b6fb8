"""Letters to the adult and the referrer (issue 17): templates kept in
versions, and sent letters (each with its PDF as a document of the case); the
shipped templates as version 1 of each kind (enquiries/letter_defaults.py).
Administrators reword them in admin."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


def install_default_templates(apps, schema_editor):
    from enquiries.letter_defaults import DEFAULTS

    LetterTemplate = apps.get_model("enquiries", "LetterTemplate")
    LetterTemplateVersion = apps.get_model("enquiries", "LetterTemplateVersion")
    for kind, (title, body) in DEFAULTS.items():
        if LetterTemplate.objects.filter(kind=kind).exists():
            continue
        template = LetterTemplate.objects.create(
            kind=kind, title=title, body=body, version=1
        )
        LetterTemplateVersion.objects.create(
            template=template, number=1, title=title, body=body
        )


class Migration(migrations.Migration):

    dependencies = [
        ('enquiries', '0019_patterns_and_override_disagreement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LetterTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('outcome', 'Outcome letter to the adult'), ('outcome_easy_read', 'Outcome letter to the adult (easy read)'), ('next_steps', 'What happens next (after the decision)'), ('referrer_feedback', 'Feedback to the person who raised the concern'), ('plan', 'Safeguarding plan for the adult'), ('plan_easy_read', 'Safeguarding plan for the adult (easy read)')], max_length=30, unique=True)),
                ('title', models.CharField(help_text="The letter's title, shown at the top of it.", max_length=200)),
                ('body', models.TextField(help_text='The words of the letter, with placeholders such as {{ adult_name }}. The placeholders this letter can use are listed below.')),
                ('version', models.PositiveIntegerField(default=0, editable=False, help_text='The number of the current version')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('updated_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['kind'],
            },
        ),
        migrations.CreateModel(
            name='LetterTemplateVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('title', models.CharField(max_length=200)),
                ('body', models.TextField()),
                ('saved_at', models.DateTimeField(auto_now_add=True)),
                ('saved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('template', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='enquiries.lettertemplate')),
            ],
            options={
                'ordering': ['template', '-number'],
            },
        ),
        migrations.CreateModel(
            name='Letter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('kind', models.CharField(choices=[('outcome', 'Outcome letter to the adult'), ('outcome_easy_read', 'Outcome letter to the adult (easy read)'), ('next_steps', 'What happens next (after the decision)'), ('referrer_feedback', 'Feedback to the person who raised the concern'), ('plan', 'Safeguarding plan for the adult'), ('plan_easy_read', 'Safeguarding plan for the adult (easy read)')], max_length=30)),
                ('title', models.CharField(max_length=200)),
                ('recipient', models.CharField(max_length=200, verbose_name='Sent to')),
                ('html', models.TextField()),
                ('sent_via', models.CharField(choices=[('post', 'Post'), ('email', 'E-mail'), ('by_hand', 'By hand')], max_length=10, verbose_name='How it was sent')),
                ('sent_on', models.DateField(verbose_name='Date sent')),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('document', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='letter', to='enquiries.document')),
                ('enquiry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='enquiries.enquiry')),
                ('sent_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('template_version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='letters', to='enquiries.lettertemplateversion')),
            ],
            options={
                'ordering': ['-sent_on', '-id'],
            },
        ),
        migrations.AddConstraint(
            model_name='lettertemplateversion',
            constraint=models.UniqueConstraint(fields=('template', 'number'), name='enq_letter_template_version'),
        ),
        migrations.RunPython(install_default_templates, migrations.RunPython.noop),
    ]
