"""The reporter channel's models, moved here from the portal (see portal 0004).

State only: the tables were created by portal 0001-0003 and renamed ``reporter_*`` by
portal 0004, so this migration declares the models without touching the database.
"""

import django.db.models.deletion
import tousu.privacy.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0005_subject_department_wall'),
        ('orgs', '0002_organisation_policy_links'),
        ('portal', '0004_reporter_channel_moved_to_the_reporter_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ReporterDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(max_length=40)),
                        ('channel', models.CharField(max_length=10)),
                        ('status', models.CharField(max_length=10)),
                        ('detail', models.CharField(blank=True, max_length=300)),
                        ('at', models.DateTimeField(auto_now_add=True)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case')),
                    ],
                ),
                migrations.CreateModel(
                    name='Message',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('direction', models.CharField(choices=[('in', '投诉举报人来信 From the reporter'), ('out', '工作人员留言 To the reporter')], max_length=3)),
                        ('body', tousu.privacy.fields.SealedTextField(blank=True, context='message.body', default='')),
                        ('created_at', models.DateTimeField()),
                        ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='messages', to='cases.case')),
                        ('event', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.event')),
                    ],
                    options={
                        'indexes': [models.Index(fields=['case', 'created_at'], name='message_case_time')],
                    },
                ),
                migrations.CreateModel(
                    name='Receipt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('digest', models.CharField(max_length=64, unique=True)),
                        ('channel', models.CharField(max_length=20)),
                        ('issued_at', models.DateTimeField()),
                        ('bound_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='cases.case')),
                        ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organisation')),
                    ],
                    options={
                        'indexes': [models.Index(fields=['case'], name='receipt_case')],
                    },
                ),
                migrations.CreateModel(
                    name='ReporterNotice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('email', '电子邮件 E-mail'), ('sms', '短信 SMS')], max_length=10)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reporter_notices', to='cases.case')),
                    ],
                    options={
                        'constraints': [models.UniqueConstraint(fields=('case', 'channel'), name='reporter_notice_once')],
                    },
                ),
            ],
        ),
    ]
