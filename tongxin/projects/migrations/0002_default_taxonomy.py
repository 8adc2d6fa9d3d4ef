"""Loads the default taxonomy of needs: 5 aspects, 21 categories (seed 002)."""

from django.db import migrations

from tongxin.projects.taxonomy import DEFAULT_TAXONOMY


def load(apps, schema_editor):
    Aspect = apps.get_model("projects", "Aspect")
    NeedCategory = apps.get_model("projects", "NeedCategory")
    for i, (aspect_name, categories) in enumerate(DEFAULT_TAXONOMY):
        aspect, _ = Aspect.objects.get_or_create(name=aspect_name, defaults={"order": i + 1})
        for j, name in enumerate(categories):
            NeedCategory.objects.get_or_create(aspect=aspect, name=name, defaults={"order": j + 1})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
