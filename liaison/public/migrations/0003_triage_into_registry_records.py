# Triage into the registry (issue 11): a report's identifiers merged into registry identifiers,
# the agency's choice remembered per value, and the person and source a missing-relative report became.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('public', '0002_cache_table'),
        ('registry', '0008_identifier_prefix_index'),
        ('sharing', '0009_user_awaits_agency_confirmation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='publicreport',
            name='person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.person', verbose_name='registry person'),
        ),
        migrations.AddField(
            model_name='publicreport',
            name='source',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.source'),
        ),
        migrations.AddField(
            model_name='reportlink',
            name='record',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registry.identifier'),
        ),
        migrations.CreateModel(
            name='AttachedIdentifier',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('phone', 'Phone number'), ('iban', 'Bank account (IBAN)'), ('bank_account', 'Bank account (national)'), ('crypto_wallet', 'Crypto wallet'), ('domain', 'Domain'), ('url', 'URL'), ('email', 'E-mail address'), ('telegram', 'Telegram handle'), ('whatsapp', 'WhatsApp number'), ('wechat', 'WeChat ID'), ('line', 'LINE ID'), ('handle', 'Other messaging handle')], max_length=20)),
                ('normalized', models.CharField(max_length=500)),
                ('attached_at', models.DateTimeField(auto_now=True)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sharing.agency')),
                ('attached_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('record', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registry.identifier')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('agency', 'kind', 'normalized'), name='one_attached_record_per_agency_value')],
            },
        ),
    ]
