"""组织关系转接 as its own app: the models come over from the members app in the state only,
on the tables they always had (members_transfer, members_transferstep, members_transferevent),
so a database made before the move keeps its rows; members.0007_transfers_moved_out removes
them from the members app's state. Their content types follow (their ids stay, so anything
pointing at them does too)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("transfer", "transferstep", "transferevent")


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def adopt_content_types(apps, schema_editor):
    _relabel(apps, schema_editor, "members", "transfers")


def return_content_types(apps, schema_editor):
    _relabel(apps, schema_editor, "transfers", "members")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("members", "0005_transfer_self_request"),
        ("orgs", "0002_unit_credit_code_unique"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Transfer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('member_name', models.CharField(max_length=50, verbose_name='姓名')),
                        ('source_path', models.CharField(editable=False, max_length=255)),
                        ('target_path', models.CharField(editable=False, max_length=255)),
                        ('status', models.CharField(choices=[('draft', '草稿'), ('submitted', '审批中'), ('approved_out', '已批准转出'), ('received', '已接收'), ('completed', '已完成'), ('rejected', '已退回'), ('withdrawn', '已撤回'), ('expired', '已过期')], default='draft', max_length=16, verbose_name='状态')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='转接原因')),
                        ('current_step', models.PositiveSmallIntegerField(default=0)),
                        ('letter_no', models.CharField(blank=True, max_length=32, verbose_name='介绍信编号')),
                        ('issued_on', models.DateField(blank=True, null=True, verbose_name='开具日期')),
                        ('valid_until', models.DateField(blank=True, null=True, verbose_name='有效期至')),
                        ('closing_note', models.CharField(blank=True, max_length=200, verbose_name='退回/撤回原因')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('completed_on', models.DateField(blank=True, null=True, verbose_name='完成日期')),
                        ('origin', models.CharField(choices=[('branch', '组织发起'), ('member', '党员申请')], default='branch', max_length=8, verbose_name='发起方式')),
                        ('reason_kind', models.CharField(blank=True, choices=[('job', '工作调动'), ('relocation', '迁居搬家'), ('study', '升学'), ('graduation', '毕业就业'), ('retirement', '退休'), ('other', '其他')], max_length=16, verbose_name='转接事由')),
                        ('moved_on', models.DateField(blank=True, null=True, verbose_name='迁移日期')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfers', to='members.member', verbose_name='党员')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='转出组织')),
                        ('target', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization', verbose_name='转入组织')),
                    ],
                    options={
                        'verbose_name': '组织关系转接',
                        'verbose_name_plural': '组织关系转接',
                        'db_table': 'members_transfer',
                    },
                ),
                migrations.CreateModel(
                    name='TransferEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField()),
                        ('action', models.CharField(max_length=32)),
                        ('org_name', models.CharField(blank=True, max_length=200)),
                        ('note', models.CharField(blank=True, max_length=200)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('transfer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='transfers.transfer')),
                    ],
                    options={
                        'db_table': 'members_transferevent',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='TransferStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField()),
                        ('org_path', models.CharField(max_length=255)),
                        ('org_name', models.CharField(max_length=200)),
                        ('role', models.CharField(choices=[('out', '转出审批'), ('top', '共同上级审批'), ('in', '转入审批'), ('receive', '接收')], max_length=8)),
                        ('decision', models.CharField(blank=True, choices=[('', '待审批'), ('approved', '同意'), ('rejected', '退回')], max_length=8)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('note', models.CharField(blank=True, max_length=200)),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('org', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organization')),
                        ('transfer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='transfers.transfer')),
                    ],
                    options={
                        'db_table': 'members_transferstep',
                        'ordering': ['transfer', 'position'],
                    },
                ),
                migrations.AddIndex(
                    model_name='transfer',
                    index=models.Index(fields=['source_path'], name='transfer_source_path'),
                ),
                migrations.AddIndex(
                    model_name='transfer',
                    index=models.Index(fields=['target_path'], name='transfer_target_path'),
                ),
                migrations.AddIndex(
                    model_name='transfer',
                    index=models.Index(fields=['status', 'valid_until'], name='transfer_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='transfer',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['draft', 'submitted', 'approved_out', 'received'])), fields=('member',), name='transfer_one_open_per_member'),
                ),
                migrations.AddConstraint(
                    model_name='transfer',
                    constraint=models.UniqueConstraint(condition=models.Q(('letter_no', ''), _negated=True), fields=('letter_no',), name='transfer_letter_no_unique'),
                ),
                migrations.AddIndex(
                    model_name='transferstep',
                    index=models.Index(fields=['org_path'], name='transferstep_org_path'),
                ),
                migrations.AddConstraint(
                    model_name='transferstep',
                    constraint=models.UniqueConstraint(fields=('transfer', 'position'), name='transferstep_position'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(adopt_content_types, return_content_types),
    ]
