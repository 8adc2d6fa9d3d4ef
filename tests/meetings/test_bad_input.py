"""No 500 on bad input (issue 12, item 7): control characters are refused in every text field
of forms and the API with one Chinese message, times with an offset are converted, numbers
beyond 64 bits are refused, served uploads never carry the uploaded name, and the .ics feed
escapes every line break."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers import texts
from tests.meetings.conftest import counts, plan
from tests.stranger_setup import scope_of
from tongxin.core import uploads
from tongxin.core.inputs import CONTROL_MESSAGE, RANGE_MESSAGE
from tongxin.meetings import selectors, services
from tongxin.meetings.models import Meeting, MeetingAttachment

API = "/api/v1/meetings/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


def _plan_body(world, **extra):
    day = selectors.local_today() + dt.timedelta(days=3)
    return {
        "org_id": world["branch_a1"].pk,
        "kind": "lecture",
        "title": "专题党课",
        "date": day.isoformat(),
        "start_time": "19:00",
        "end_time": "20:30",
        **extra,
    }


@pytest.mark.parametrize("bad", ["专题\x00党课", "专题\x01党课", "专题\x1b[31m党课", "专题\r党课"])
def test_a_form_text_field_refuses_control_characters(world, client_for, bad):
    """Before, a NUL got Django's English-derived message and other controls were stored."""
    day = selectors.local_today() + dt.timedelta(days=2)
    r = client_for(world["bob"]).post(
        "/meetings/new/",
        {
            "org": world["branch_a1"].pk,
            "kind": "lecture",
            "title": bad,
            "date": day.isoformat(),
            "start_time": "19:00",
            "end_time": "20:30",
        },
    )
    assert r.status_code == 200
    assert texts(r).count(str(CONTROL_MESSAGE)) == 1
    assert not Meeting.objects.exists()


def test_every_char_field_gets_the_check_and_line_breaks_pass():
    field = forms.CharField(widget=forms.Textarea)
    assert field.clean("第一行\r\n第二行\t制表") == "第一行\r\n第二行\t制表"
    with pytest.raises(forms.ValidationError) as exc:
        field.clean("a\x07b")
    assert exc.value.messages == [str(CONTROL_MESSAGE)]


@pytest.mark.parametrize("bad", ["专题\x00党课", "专题\x08党课", "专题\r党课"])
def test_the_api_refuses_control_characters_in_the_body(world, client_for, bad):
    """Before, the NUL byte was stored (201)."""
    before = counts()
    r = client_for(world["bob"]).post(
        API, _plan_body(world, title=bad), content_type="application/json"
    )
    assert r.status_code == 422, r.content
    assert r.json()["fields"] == {"title": str(CONTROL_MESSAGE)}
    assert counts() == before


def test_the_api_refuses_control_characters_in_the_query(world, client_for):
    r = client_for(world["bob"]).get(API, {"kind": "lecture\x00"})
    assert r.status_code == 422 and r.json()["fields"] == {"kind": str(CONTROL_MESSAGE)}


def test_the_api_refuses_numbers_beyond_64_bits(world, client_for):
    before = counts()
    r = client_for(world["bob"]).post(
        API, _plan_body(world, org_id=10**20), content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["fields"] == {"org_id": str(RANGE_MESSAGE)}
    assert counts() == before


@pytest.mark.parametrize(
    ("sent", "stored"),
    [("14:00:00+08:00", "14:00:00"), ("06:00:00Z", "14:00:00"), ("14:00", "14:00:00")],
)
def test_a_meeting_time_with_an_offset_is_converted_to_beijing_time(
    world, client_for, sent, stored
):
    """Before, "14:00:00+08:00" answered 500."""
    r = client_for(world["bob"]).post(
        API, _plan_body(world, start_time=sent, end_time="23:00"), content_type="application/json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["start_time"] == stored
    assert Meeting.objects.get().start_time == dt.time.fromisoformat(stored)


def test_a_meeting_time_that_is_no_time_is_a_422(world, client_for):
    r = client_for(world["bob"]).post(
        API, _plan_body(world, start_time="25:00+08:00"), content_type="application/json"
    )
    assert r.status_code == 422 and "start_time" in r.json()["fields"]


def test_a_bare_cr_in_a_title_cannot_inject_an_ics_line(world, client):
    """Titles from before the input check (or any other writer) may hold a bare CR."""
    m = plan(world["branch_a1"], title="学习\rX-INJECTED:yes\r\nEND:VEVENT\n党章")
    feed = services.feed_rotate(scope=scope_of(None), actor=None, org=world["branch_a1"])
    body = client.get(f"/meetings/ical/branch/{feed.token}.ics").content.decode()
    lines = body.split("\r\n")
    assert not any(line.startswith(("X-INJECTED", "END:VEVENT\\")) for line in lines)
    assert "\r" not in body.replace("\r\n", "") and "\n" not in body.replace("\r\n", "")
    assert lines.count("END:VEVENT") == 1 and m.pk


def test_a_served_upload_never_carries_the_uploaded_name(world, meeting, client_for):
    """Before, a PNG uploaded as evil.html was served inline as "evil.html"."""
    c = client_for(world["bob"])
    c.post(f"/meetings/{meeting.pk}/attachments/", {"file": SimpleUploadedFile("evil.html", PNG)})
    att = MeetingAttachment.objects.get()
    r = c.get(f"/meetings/attachments/{att.pk}/")
    disposition = r["Content-Disposition"]
    assert r["Content-Type"] == "image/png" and "evil" not in disposition
    assert disposition == f'inline; filename="meeting-{meeting.pk}-attachment-{att.pk}.png"'
    assert "sandbox" in r["Content-Security-Policy"] and r["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_downloads_and_an_unknown_type_is_bytes(tmp_path, settings):
    stored = uploads.store(
        SimpleUploadedFile("会议.html", PDF),
        allowed=uploads.IMAGES_AND_PDF,
        max_bytes=1024,
        folder="t",
    )
    r = uploads.serve(stored.name, stored.content_type, "meeting-1-attachment-2")
    assert r["Content-Disposition"] == 'attachment; filename="meeting-1-attachment-2.pdf"'
    r = uploads.serve(stored.name, "text/html", "meeting-1-attachment-2")
    assert r["Content-Type"] == "application/octet-stream"
    assert r["Content-Disposition"] == 'attachment; filename="meeting-1-attachment-2.bin"'
