# Documents held with a direct payment (issue 17): the link lives in budgets.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0004_direct_payment_recipient_changes'),
        ('enquiries', '0017_documents'),
    ]

    operations = [
        migrations.CreateModel(
            name='DirectPaymentDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('direct_payment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='document_links', to='budgets.directpayment')),
                ('document', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='direct_payment_link', to='enquiries.document')),
            ],
            options={
                'ordering': ['-document__document_date', '-id'],
            },
        ),
    ]
