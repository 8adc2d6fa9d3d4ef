"""消息中心: idempotent delivery, the badge, read / all read, and the outside channels
(sent once, retried, then failed with the in-app copy still there; quiet hours; digest)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from tests.helpers import is_chinese
from tongxin.core import pii
from tongxin.core.errors import ServiceError
from tongxin.core.scope import scope_for_user
from tongxin.inbox import selectors, services, tasks
from tongxin.inbox.models import Delivery, DeliveryState, InboxSettings, Message

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SH)
SENT: list[tuple[str, str]] = []


class FailingSms:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


class RecordingSms:
    def send(self, phone: str, text: str) -> None:
        SENT.append((phone, text))


def give(user, key="e:1", kind="case", **kw) -> int:
    return services.deliver(
        recipients=[user], kind=kind, key=key, title="事件交办：路灯不亮", link="/cases/", **kw
    )


def test_the_same_event_reaches_a_person_once(world):
    bob = world["bob"]
    assert give(bob) == 1
    assert give(bob) == 0
    assert (
        services.deliver(recipients=[bob, world["alice"]], kind="case", key="e:1", title="x") == 1
    )
    assert Message.objects.filter(recipient=bob).count() == 1


def test_an_unknown_kind_is_a_programming_error(world):
    with pytest.raises(ValueError):
        services.deliver(recipients=[world["bob"]], kind="gossip", key="k", title="t")


def test_the_badge_counts_unread_and_follows_reads(world, client_for, django_assert_num_queries):
    bob = world["bob"]
    give(bob, "e:1")
    give(bob, "e:2")
    assert selectors.unread_count(bob.pk) == 2
    with django_assert_num_queries(0):  # cached
        assert selectors.unread_count(bob.pk) == 2
    c = client_for(bob)
    assert 'data-testid="inbox-badge"' in c.get("/inbox/").content.decode()
    badge = c.get("/inbox/badge/").content.decode()
    assert 'data-testid="unread-count">2<' in badge
    assert "unread-count-phone" not in badge  # the resident's tab bar: no top bar
    # the staff top bar: on a phone the count shows beside the collapsed menu as well
    page = c.get("/").content.decode()
    assert 'id="tx-inbox-phone"' in page and "/inbox/badge/?top=1" in page
    top = c.get("/inbox/badge/?top=1").content.decode()
    assert 'data-testid="unread-count-phone">2<' in top and 'hx-swap-oob="true"' in top
    msg = Message.objects.filter(recipient=bob).first()
    assert c.post(f"/inbox/{msg.pk}/open/").status_code == 302
    assert selectors.unread_count(bob.pk) == 1
    give(bob, "e:3")
    assert selectors.unread_count(bob.pk) == 2


def test_open_follows_the_link_and_all_read(world, client_for):
    bob = world["bob"]
    give(bob, "e:1")
    services.deliver(recipients=[bob], kind="meeting", key="m:1", title="明晚主题党日")
    c = client_for(bob)
    msg = Message.objects.get(key="e:1")
    r = c.post(f"/inbox/{msg.pk}/open/", {"follow": "1"})
    assert r.status_code == 302 and r["Location"] == "/cases/"
    assert "路灯" in c.get("/inbox/?kind=case").content.decode()
    assert "路灯" not in c.get("/inbox/?kind=meeting").content.decode()
    c.post("/inbox/read-all/")
    assert not Message.objects.filter(recipient=bob, read_at__isnull=True).exists()


def test_a_stranger_cannot_open_or_read_someone_elses_message(world, client_for):
    give(world["bob"])
    msg = Message.objects.get()
    c = client_for(world["charlie"])
    assert c.post(f"/inbox/{msg.pk}/open/").status_code == 404
    assert "路灯" not in c.get("/inbox/").content.decode()
    assert c.post(f"/api/v1/inbox/messages/{msg.pk}/read").status_code == 404
    assert c.get("/api/v1/inbox/messages").json()["count"] == 0
    msg.refresh_from_db()
    assert msg.read_at is None


def test_the_api_lists_and_marks_read(world, client_for):
    bob = world["bob"]
    give(bob, "e:1")
    give(bob, "e:2")
    c = client_for(bob)
    data = c.get("/api/v1/inbox/messages?unread=true").json()
    assert data["count"] == 2 and data["unread"] == 2
    pk = data["results"][0]["id"]
    assert c.post(f"/api/v1/inbox/messages/{pk}/read").json()["read_at"]
    r = c.post("/api/v1/inbox/messages/read-all", {}, content_type="application/json")
    assert r.json()["count"] == 1
    r = c.post("/api/v1/inbox/messages/read-all", {"kind": "x"}, content_type="application/json")
    assert r.status_code == 400 and is_chinese(r.json()["message"])


def _prefer(user, *pairs, **kw):
    services.preferences_set(
        actor=user, scope=scope_for_user(user), user=user, enabled=set(pairs), **kw
    )


def test_email_is_sent_once(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bob = world["bob"]
    bob.email = "bob@example.cn"
    bob.save()
    _prefer(bob, ("case", "email"))
    give(bob, now=NOW)
    assert services.dispatch_pending(now=NOW)["sent"] == 1
    assert services.dispatch_pending(now=NOW + dt.timedelta(hours=1)) == {
        "sent": 0,
        "retry": 0,
        "failed": 0,
    }
    give(bob, now=NOW)  # the same event again: no second copy either
    services.dispatch_pending(now=NOW + dt.timedelta(hours=2))
    assert len(mail.outbox) == 1 and "路灯" in mail.outbox[0].subject
    assert "事件" in mail.outbox[0].body and "/cases/" in mail.outbox[0].body


def _bob_with_phone(world):
    bob, member = world["bob"], world["m_a1"]
    member.phone_enc = pii.encrypt("13812345678")
    member.save(update_fields=["phone_enc"])
    bob.member = member
    bob.save()
    return bob


def test_a_failing_channel_is_retried_then_marked_failed(world, settings):
    settings.TONGXIN_SMS_BACKEND = "tests.inbox.test_inbox.FailingSms"
    bob = _bob_with_phone(world)
    _prefer(bob, ("case", "sms"))
    give(bob, now=NOW)
    assert services.dispatch_pending(now=NOW)["retry"] == 1
    d = Delivery.objects.get()
    assert d.state == DeliveryState.PENDING and d.attempts == 1 and d.not_before > NOW
    assert services.dispatch_pending(now=NOW)["retry"] == 0  # not yet due again
    services.dispatch_pending(now=NOW + dt.timedelta(minutes=6))
    assert services.dispatch_pending(now=NOW + dt.timedelta(minutes=30))["failed"] == 1
    d.refresh_from_db()
    assert d.state == DeliveryState.FAILED and d.attempts == 3 and "gateway" in d.last_error
    services.dispatch_pending(now=NOW + dt.timedelta(days=1))
    d.refresh_from_db()
    assert d.attempts == 3
    assert Message.objects.filter(recipient=bob, read_at__isnull=True).count() == 1


def test_sms_goes_through_the_backend_with_title_and_link_only(world, settings):
    settings.TONGXIN_SMS_BACKEND = "tests.inbox.test_inbox.RecordingSms"
    SENT.clear()
    bob = _bob_with_phone(world)
    _prefer(bob, ("case", "sms"))
    services.deliver(
        recipients=[bob], kind="case", key="e:9", title="事件交办", body="内部备注", link="/c/"
    )
    services.dispatch_pending()
    assert SENT == [("13812345678", "【同心】事件交办 /c/")]


def test_no_address_fails_at_once(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bob = world["bob"]
    _prefer(bob, ("case", "email"))
    give(bob, now=NOW)
    assert services.dispatch_pending(now=NOW)["failed"] == 1
    assert Delivery.objects.get().attempts == 1


def test_quiet_hours_hold_outside_copies(world):
    bob = world["bob"]
    _prefer(bob, ("case", "email"), quiet_start=dt.time(22), quiet_end=dt.time(7))
    night = dt.datetime(2026, 12, 7, 23, 30, tzinfo=SH)
    give(bob, now=night)
    d = Delivery.objects.get()
    assert timezone.localtime(d.not_before) == dt.datetime(2026, 12, 8, 7, 0, tzinfo=SH)
    assert Message.objects.filter(recipient=bob).exists()  # in-app at once


def test_the_digest_is_one_email_a_day(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bob = world["bob"]
    bob.email = "bob@example.cn"
    bob.save()
    _prefer(bob, ("case", "email"), digest=True)
    give(bob, "e:1", now=NOW)
    give(bob, "e:2", now=NOW)
    assert not Delivery.objects.exists()  # the digest carries email for this user
    assert services.send_digests(now=NOW + dt.timedelta(hours=1)) == 1
    assert services.send_digests(now=NOW + dt.timedelta(hours=2)) == 0
    assert len(mail.outbox) == 1 and "2" in mail.outbox[0].subject


@pytest.mark.parametrize(
    "kw",
    [
        {"quiet_start": dt.time(22)},
        {"quiet_start": dt.time(22), "quiet_end": dt.time(22)},
    ],
    ids=["start-without-end", "start-equals-end"],
)
def test_bad_quiet_hours_are_refused(world, kw):
    bob = world["bob"]
    with pytest.raises(ServiceError) as e:
        _prefer(bob, ("case", "email"), **kw)
    assert is_chinese(e.value.message)
    assert not InboxSettings.objects.exists()


def test_the_settings_page_saves_and_refuses(world, client_for):
    c = client_for(world["bob"])
    assert c.get("/inbox/settings/").status_code == 200
    r = c.post("/inbox/settings/", {"case:email": "on", "quiet_start": "22:00"})
    assert r.status_code == 200 and "同时填写" in r.content.decode()
    r = c.post("/inbox/settings/", {"case:email": "on", "quiet_start": "25:99", "quiet_end": "1"})
    assert r.status_code == 200 and "时:分" in r.content.decode()
    r = c.post("/inbox/settings/", {"case:email": "on", "digest": "on"})
    assert r.status_code == 302
    assert InboxSettings.objects.get(user=world["bob"]).digest


def test_a_fanout_goes_through_the_task_queue(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ids = [world["alice"].pk, world["bob"].pk, world["charlie"].pk]
    result = tasks.deliver.enqueue(ids, "meeting", "meetings.reminder:1", "明晚主题党日")
    assert result.return_value == 3
    assert Message.objects.filter(key="meetings.reminder:1").count() == 3


def test_the_inbox_page_has_a_fixed_number_of_queries(world, client_for, django_assert_num_queries):
    bob = world["bob"]
    for i in range(30):
        give(bob, f"e:{i}")
    c = client_for(bob)
    c.get("/inbox/")
    # session, user, count, the role assignments (the top bar's scope label), page rows, and
    # the session's activity stamp (savepoint, update, release)
    with django_assert_num_queries(5):
        assert c.get("/inbox/?unread=1").status_code == 200
