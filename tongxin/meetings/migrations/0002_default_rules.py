from django.db import migrations

# 《中国共产党支部工作条例（试行）》第十九条: 支部党员大会一般每季度召开1次; 支部委员会一般每月
# 召开1次; 党小组会一般每月召开1次; 党课一般每季度至少1次; 第二十条: 每月相对固定1天开展主题党日;
# 第二十一条: 组织生活会一般每年召开1次. (DESIGN §4.5: the defaults, configurable.)
DEFAULTS = [
    ("committee", "month"),
    ("group", "month"),
    ("general", "quarter"),
    ("lecture", "quarter"),
    ("theme_day", "month"),
    ("life", "year"),
]


def load(apps, schema_editor):
    rule = apps.get_model("meetings", "ComplianceRule")
    for kind, period in DEFAULTS:
        rule.objects.update_or_create(kind=kind, defaults={"period": period, "min_count": 1})


def unload(apps, schema_editor):
    apps.get_model("meetings", "ComplianceRule").objects.filter(
        kind__in=[k for k, _p in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
