"""Rotating the personal-data key: old values stay readable, the command re-encrypts them
all and exact search keeps working; a missing old key changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from tongxin.core import pii
from tongxin.core.models import AuditLog
from tongxin.core.scope import Scope
from tongxin.members.models import Member
from tongxin.members.selectors import MemberFilters, member_list


def test_rotation_reencrypts_and_search_still_finds(world, settings):
    number = world["m_a1"].reveal_id_number()
    old_key, old_id = settings.PII_KEY, settings.PII_KEY_ID
    settings.PII_KEY, settings.PII_KEY_ID = "a-brand-new-key", "k2"
    settings.PII_OLD_KEYS = {old_id: old_key}

    # Before rotation the old value is still readable through its key id.
    assert Member.objects.get(pk=world["m_a1"].pk).reveal_id_number() == number

    call_command("rotate_pii_key", stdout=io.StringIO())

    m = Member.objects.get(pk=world["m_a1"].pk)
    assert pii.key_id_of(m.id_number_enc) == "k2"
    assert pii.key_id_of(m.phone_enc) == "k2"
    assert m.reveal_id_number() == number
    assert not Member.objects.exclude(id_number_enc__startswith="k2:").exists()
    # Exact search goes through the new blind index.
    found = member_list(Scope.everything(), MemberFilters(text=number))
    assert [x.pk for x in found] == [m.pk]
    assert AuditLog.objects.filter(action="members.pii_rekey").exists()

    # Without the old key, nothing is readable any more: the key id says which key is missing.
    settings.PII_OLD_KEYS = {}
    factories.member(world["branch_a2"])  # new rows use k2 and stay readable
    assert Member.objects.filter(id_number_enc__startswith="k2:").count() == 5


def test_rotation_without_the_old_key_refuses_and_changes_nothing(world, settings):
    before = list(Member.objects.order_by("id").values_list("id_number_enc", flat=True))
    settings.PII_KEY, settings.PII_KEY_ID, settings.PII_OLD_KEYS = "another-key", "k9", {}
    with pytest.raises(CommandError, match="TONGXIN_PII_OLD_KEYS"):
        call_command("rotate_pii_key")
    after = list(Member.objects.order_by("id").values_list("id_number_enc", flat=True))
    assert after == before


def test_during_a_rotation_search_and_the_duplicate_check_still_see_old_rows(world, settings):
    """Between switching the key and running the command, rows still carry the old index."""
    from tongxin.core.errors import ServiceError
    from tongxin.members.services import member_create

    number = world["m_a1"].reveal_id_number()
    phone = world["m_a1"].reveal_phone()
    old_key, old_id = settings.PII_KEY, settings.PII_KEY_ID
    settings.PII_KEY, settings.PII_KEY_ID = "rotation-window-key", "k3"
    settings.PII_OLD_KEYS = {old_id: old_key}

    found = member_list(Scope.everything(), MemberFilters(text=number))
    assert [m.pk for m in found] == [world["m_a1"].pk]
    found = member_list(Scope.everything(), MemberFilters(text=phone))
    assert [m.pk for m in found] == [world["m_a1"].pk]
    with pytest.raises(ServiceError) as e:
        member_create(actor=None, data=factories.member_input(world["branch_a2"], id_number=number))
    assert "已登记" in e.value.fields["id_number"]


def test_rotation_also_rekeys_a_phone_left_under_the_old_key(world, settings):
    """An edit during the window re-encrypts the ID number; the phone is caught by the command."""
    from tongxin.members.models import Member as M

    old_key, old_id = settings.PII_KEY, settings.PII_KEY_ID
    settings.PII_KEY, settings.PII_KEY_ID = "rotation-window-key-2", "k4"
    settings.PII_OLD_KEYS = {old_id: old_key}
    m = M.objects.get(pk=world["m_a2"].pk)
    m.id_number_enc = pii.encrypt(m.reveal_id_number())  # as an edit would
    m.save(update_fields=["id_number_enc"])
    assert pii.key_id_of(m.phone_enc) == old_id

    call_command("rotate_pii_key", stdout=io.StringIO())
    assert pii.key_id_of(M.objects.get(pk=m.pk).phone_enc) == "k4"


def test_rotation_rekeys_residents_phones_too(world, settings):
    from tongxin.accounts.models import Resident, User

    home = world["m_a1"].residence or factories.area("紫金花园", "compound")
    r = Resident(user=User.objects.create(username="jumin1"), name="居民甲", home=home)
    r.set_phone("13912345678")
    r.save()
    old_key, old_id = settings.PII_KEY, settings.PII_KEY_ID
    settings.PII_KEY, settings.PII_KEY_ID = "a-brand-new-key", "k2"
    settings.PII_OLD_KEYS = {old_id: old_key}

    call_command("rotate_pii_key", stdout=io.StringIO())

    r.refresh_from_db()
    assert pii.key_id_of(r.phone_enc) == "k2"
    assert r.reveal_phone() == "13912345678"
    assert r.phone_index == pii.blind_index("13912345678")
