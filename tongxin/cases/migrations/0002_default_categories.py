from django.db import migrations

from tongxin.cases.defaults import AGENCIES, CATEGORIES, HOURS


def load(apps, schema_editor):
    Agency = apps.get_model("cases", "Agency")
    Category = apps.get_model("cases", "Category")
    agencies = {}
    for code, name in AGENCIES:
        agencies[code], _ = Agency.objects.get_or_create(code=code, defaults={"name": name})
    for order, (code, name, klass, agency, keywords) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "deadline_class": klass, "hours_normal": HOURS[klass],
                      "hours_urgent": 2, "default_agency": agencies[agency],
                      "keywords": keywords, "order": order * 10},
        )


def unload(apps, schema_editor):
    apps.get_model("cases", "Category").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()
    apps.get_model("cases", "Agency").objects.filter(code__in=[a[0] for a in AGENCIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
