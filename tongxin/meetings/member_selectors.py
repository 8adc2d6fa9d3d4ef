"""The member's side of organizational life: the meetings a member is expected at, their
phone home's figures and the private calendar feeds."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from tongxin.meetings.models import (
    Attendance,
    AttendanceState,
    CalendarFeed,
    Meeting,
    MeetingStatus,
)
from tongxin.meetings.selectors import LIST_COLUMNS, local_today
from tongxin.members.models import Member
from tongxin.orgs.models import Organization


def member_meetings(member: Member) -> QuerySet[Meeting]:
    """The meetings a member is expected at: their branch's and its groups', and those they are
    invited to as a guest."""
    return (
        Meeting.objects.filter(
            Q(branch_id=member.org_id) | Q(org_id=member.org_id) | Q(guests__member=member)
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("org")
        .only(*LIST_COLUMNS)
        .distinct()
    )


def member_today(member: Member) -> list[Meeting]:
    return list(member_meetings(member).filter(date=local_today()).order_by("start_time", "id"))


def member_upcoming(member: Member, limit: int = 5) -> list[Meeting]:
    qs = member_meetings(member).filter(date__gte=local_today(), status=MeetingStatus.PLANNED)
    return list(qs.order_by("date", "start_time", "id")[:limit])


def feed_for_token(kind: str, token: str) -> CalendarFeed | None:
    """The token is the credential (no login): an unknown token finds nothing."""
    if not token or len(token) > 64:
        return None
    return CalendarFeed.objects.filter(kind=kind, token=token).first()


def feed_meetings(feed: CalendarFeed, limit: int = 500) -> list[Meeting]:
    since = local_today() - dt.timedelta(days=180)
    if feed.member_id:
        member = Member.objects.get(pk=feed.member_id)
        qs = member_meetings(member)
    else:
        qs = Meeting.objects.filter(Q(org_id=feed.org_id) | Q(branch_id=feed.org_id)).exclude(
            status=MeetingStatus.CANCELLED
        )
    return list(
        qs.filter(date__gte=since).select_related("org").order_by("date", "start_time")[:limit]
    )


def feed_of(
    *, org: Organization | None = None, member: Member | None = None
) -> CalendarFeed | None:
    if org is not None:
        return CalendarFeed.objects.filter(org=org).first()
    return CalendarFeed.objects.filter(member=member).first()


def own_meetings(member: Member, today: dt.date | None = None) -> dict[str, object]:
    """A member's own organizational life for their phone home: the next meetings of their
    branch and their attendance at this year's held meetings. Two queries."""
    today = today or local_today()
    coming = list(
        Meeting.objects.filter(
            branch_id=member.org_id, status=MeetingStatus.PLANNED, date__gte=today
        )
        .order_by("date", "start_time")
        .only("id", "title", "kind", "date", "start_time", "location")[:3]
    )
    year_start = today.replace(month=1, day=1)
    att = Attendance.objects.filter(
        member=member,
        meeting__status=MeetingStatus.HELD,
        meeting__date__gte=year_start,
        meeting__date__lte=today,
    ).aggregate(total=Count("id"), present=Count("id", filter=Q(state=AttendanceState.PRESENT)))
    return {
        "coming": coming,
        "year": today.year,
        "since": year_start,
        "today": today,
        "attended": att["present"],
        "recorded": att["total"],
    }
