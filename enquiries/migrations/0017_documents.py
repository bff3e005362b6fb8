# Documents held with a case (issue 17) and their kinds, editable in admin.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


KINDS = [
    ("police_report", "Police report"),
    ("medical", "Medical"),
    ("financial", "Financial"),
    ("photo", "Photograph"),
    ("minutes", "Meeting minutes"),
    ("letter", "Letter"),
    ("other", "Other"),
]


def create_kinds(apps, schema_editor):
    DocumentKind = apps.get_model("enquiries", "DocumentKind")
    for order, (code, name) in enumerate(KINDS, start=1):
        DocumentKind.objects.get_or_create(
            code=code, defaults={"name": name, "order": order * 10}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('enquiries', '0016_allocation_of_concerns'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DocumentKind',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=40, unique=True)),
                ('name', models.CharField(max_length=100)),
                ('is_active', models.BooleanField(default=True, help_text='Untick to stop offering it (documents keep it).')),
                ('order', models.PositiveSmallIntegerField(default=0)),
            ],
            options={
                'ordering': ['order', 'name'],
            },
        ),
        migrations.AlterField(
            model_name='chronologyevent',
            name='kind',
            field=models.CharField(choices=[('concern', 'Concern'), ('decision', 'Decision'), ('views', "Adult's views"), ('outcomes', 'Desired outcomes'), ('consent', 'Consent'), ('capacity', 'Mental capacity'), ('advocacy', 'Advocacy'), ('meeting', 'Meeting'), ('enquiry', 'Enquiry'), ('outcome', 'Outcome'), ('plan', 'Safeguarding plan'), ('note', 'Case note'), ('allocation', 'Allocation'), ('closure', 'Closure'), ('budget', 'Personal budget'), ('document', 'Document')], max_length=20),
        ),
        migrations.CreateModel(
            name='Document',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('title', models.CharField(max_length=200)),
                ('document_date', models.DateField(help_text='The date it was written or the photo taken', verbose_name='Date of the document')),
                ('provided_by', models.CharField(max_length=200, verbose_name='Who provided it')),
                ('sensitivity', models.CharField(choices=[('yes', 'Yes'), ('no', 'No'), ('ask_first', 'Ask first')], max_length=10, verbose_name='May it be shared with the adult')),
                ('sensitivity_reason', models.TextField(blank=True, verbose_name='Why not, or who to ask')),
                ('adults_own', models.BooleanField(default=False, help_text='It belongs to the adult (their letter, their photo, their statement)', verbose_name="The adult's own document")),
                ('original_name', models.CharField(max_length=255)),
                ('content_type', models.CharField(max_length=100)),
                ('size', models.PositiveBigIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('storage_name', models.CharField(editable=False, max_length=255, unique=True)),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                ('withdrawn_reason', models.TextField(blank=True)),
                ('concern', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='enquiries.concern')),
                ('enquiry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='enquiries.enquiry')),
                ('meeting', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='enquiries.meeting')),
                ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='enquiries.person')),
                ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('kind', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enquiries.documentkind')),
            ],
            options={
                'ordering': ['-document_date', '-id'],
                'indexes': [models.Index(fields=['person', 'document_date'], name='enq_document_person_date')],
                'constraints': [models.CheckConstraint(condition=models.Q(('withdrawn_at__isnull', True), models.Q(('withdrawn_reason', ''), _negated=True), _connector='OR'), name='enquiries_document_withdrawn_with_reason'), models.CheckConstraint(condition=models.Q(('sensitivity', 'yes'), models.Q(('sensitivity_reason', ''), _negated=True), _connector='OR'), name='enquiries_document_unshared_with_reason')],
            },
        ),
        migrations.RunPython(create_kinds, migrations.RunPython.noop),
    ]
