"""iCalendar (RFC 5545) by hand: a VCALENDAR of VEVENTs, CRLF line ends, lines folded at 75
octets, text escaped. Times are written in UTC (no VTIMEZONE needed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from tongxin.meetings.models import Meeting, MeetingStatus

PRODID = "-//Tongxin//Meetings//ZH"


def escape(text: str) -> str:
    """TEXT escaping (RFC 5545 §3.3.11). Every CR and LF, paired or bare, becomes ``\\n``: a bare
    CR left in the text would end the content line in many readers and start a property of the
    sender's choosing. Other control characters (refused at input, but older rows may hold
    them) are dropped, as §3.3.11 does not allow them in TEXT."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or (ch >= " " and ch != "\x7f"))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces without cutting a UTF-8 character; every
    continuation starts with one space (RFC 5545 §3.1)."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode())
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def _utc(d: dt.date, t: dt.time) -> str:
    aware = timezone.make_aware(dt.datetime.combine(d, t))
    return aware.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, meetings: Iterable[Meeting], host: str) -> str:
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for m in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{m.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(m.date, m.start_time)}",
            f"DTEND:{_utc(m.date, m.end_time)}",
            f"SUMMARY:{escape(f'{m.get_kind_display()}：{m.title}')}",
            f"LOCATION:{escape(m.location)}",
            f"DESCRIPTION:{escape(m.org.name)}",
            "STATUS:" + ("CANCELLED" if m.status == MeetingStatus.CANCELLED else "CONFIRMED"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
