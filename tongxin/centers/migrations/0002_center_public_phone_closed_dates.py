"""The centre's public telephone leaves the encrypted column; closed dates (holidays).

Until now the centre's one "联系电话" was stored encrypted and shown masked, as a person's
phone. The encrypted column becomes the contact person's mobile (联系人手机, still personal
data); each stored number that is not a mobile number (a landline such as 0574-88000000, the
centre's own line) moves to the new public ``phone`` column, decrypted, and leaves the
encrypted one. A mobile number stays where it is: it may be a person's own phone, and only
the centre's staff can tell; they may move it to the public field in the edit form."""

from django.db import migrations, models


def split_phones(apps, schema_editor):
    from tongxin.core import pii

    ServiceCenter = apps.get_model("centers", "ServiceCenter")
    for c in ServiceCenter.objects.exclude(contact_phone_enc="").only("pk", "contact_phone_enc"):
        number = pii.decrypt(c.contact_phone_enc)
        if pii.is_mobile(pii.normalize_phone(number)):
            continue
        ServiceCenter.objects.filter(pk=c.pk).update(
            phone=number[:20], contact_phone_enc="", contact_phone_masked=""
        )


def join_phones(apps, schema_editor):
    from tongxin.core import pii

    ServiceCenter = apps.get_model("centers", "ServiceCenter")
    for c in ServiceCenter.objects.exclude(phone="").only("pk", "phone", "contact_phone_enc"):
        if c.contact_phone_enc:
            continue  # one column only on the way back: the contact's mobile wins
        ServiceCenter.objects.filter(pk=c.pk).update(
            contact_phone_enc=pii.encrypt(c.phone), contact_phone_masked=pii.mask_phone(c.phone)
        )


class Migration(migrations.Migration):
    dependencies = [("centers", "0001_initial")]

    operations = [
        migrations.RenameField("servicecenter", "phone_enc", "contact_phone_enc"),
        migrations.RenameField("servicecenter", "phone_masked", "contact_phone_masked"),
        migrations.AlterField(
            model_name="servicecenter",
            name="contact_phone_enc",
            field=models.CharField(blank=True, max_length=120, verbose_name="联系人手机（密文）"),
        ),
        migrations.AlterField(
            model_name="servicecenter",
            name="contact_phone_masked",
            field=models.CharField(blank=True, max_length=20, verbose_name="联系人手机"),
        ),
        migrations.AddField(
            model_name="servicecenter",
            name="phone",
            field=models.CharField(blank=True, max_length=20, verbose_name="联系电话"),
        ),
        migrations.AddField(
            model_name="servicecenter",
            name="closed_dates",
            field=models.JSONField(blank=True, default=list, verbose_name="休息日（节假日）"),
        ),
        migrations.RunPython(split_phones, join_phones),
    ]
