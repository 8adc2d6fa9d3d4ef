"""The default quotas of seed 003 (上海枫泾): a leader links 4–5 units and at least 10
households; a cadre visits at least 10 households a month. Editable afterwards in the admin."""

from django.db import migrations

DEFAULTS = [
    # code, label, period, minimum, maximum
    ("contact_units", "领导干部联系基层单位", "quarter", 4, 5),
    ("contact_households", "领导干部联系走访农户和居民", "quarter", 10, None),
    ("home_visits", "党员干部每月上门家访", "month", 10, None),
]


def load(apps, schema_editor):
    QuotaRule = apps.get_model("visits", "QuotaRule")
    for code, label, period, minimum, maximum in DEFAULTS:
        QuotaRule.objects.update_or_create(
            code=code,
            defaults={"label": label, "period": period, "minimum": minimum, "maximum": maximum},
        )


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
