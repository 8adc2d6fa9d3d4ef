"""Demo volunteering: seed 002's 46 Party-member volunteer teams per district, spread over the
community committees (and streets), each with past activities (sign-ups, check-in/out and
hours in the ledger) and coming ones open for sign-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from tongxin.core.bulk import bulk_insert
from tongxin.core.demodata import DemoContext
from tongxin.core.scope import subtree_q
from tongxin.geo.models import Area, AreaLevel
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, OrgKind
from tongxin.volunteering.models import Activity, SignUp, VolunteerHours, VolunteerTeam

TEAMS_PER_DISTRICT = 46
PAST, COMING = 4, 2
TEAM_NAMES = [
    "党员先锋志愿服务队",
    "红马甲志愿服务队",
    "银发先锋队",
    "文明劝导队",
    "邻里守望队",
    "助老服务队",
    "环境整治突击队",
    "青年志愿服务队",
]
TITLES = [
    ("楼道清洁", 120),
    ("敬老院慰问", 150),
    ("垃圾分类宣传", 90),
    ("义诊义剪", 180),
    ("文明交通劝导", 120),
    ("关爱留守儿童", 120),
    ("反诈宣传", 90),
]
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _next_id(model: Any) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    now = timezone.now()
    districts = list(Area.objects.filter(level=AreaLevel.DISTRICT).values_list("path", flat=True))
    # community (and village) committees with their area, by district
    anchors = list(
        Organization.objects.filter(
            kind__in=[OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.WORKING_COMMITTEE],
            area__level__in=[AreaLevel.COMMUNITY, AreaLevel.STREET],
        )
        .order_by("path")
        .values_list("pk", "path", "area_id", "area__path", "area__level")
    )
    team_rows, plan = [], []
    tid = _next_id(VolunteerTeam)
    for d in districts:
        here = [a for a in anchors if a[3].startswith(d)]
        if not here:
            continue
        for i in range(TEAMS_PER_DISTRICT):
            org_id, org_path, area_id, _ap, level = here[i % len(here)]
            name = TEAM_NAMES[i % len(TEAM_NAMES)]
            if i >= len(TEAM_NAMES):
                name = f"第{i // len(TEAM_NAMES) + 1}{name}"
            team_rows.append(
                (
                    tid,
                    name,
                    org_id,
                    org_path,
                    area_id if level == AreaLevel.COMMUNITY else None,
                    True,
                    "",
                    now,
                )
            )
            plan.append((tid, org_path, area_id))
            tid += 1
    bulk_insert(
        VolunteerTeam._meta.db_table,
        [
            "id",
            "name",
            "org_id",
            "org_path",
            "area_id",
            "is_party_member_team",
            "description",
            "created_at",
        ],
        team_rows,
    )
    a_rows, s_rows, h_rows = [], [], []
    aid, sid, hid = _next_id(Activity), _next_id(SignUp), _next_id(VolunteerHours)
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    # A sign-up belongs to the person: a member with an account (the demo users) signs up with
    # it, so 我要报名 and 我的活动 agree about it.
    accounts = dict(
        get_user_model().objects.filter(member__isnull=False).values_list("member_id", "id")
    )
    for team_id, org_path, area_id in plan:
        pool = list(
            Member.objects.filter(subtree_q("org_path", org_path))
            .order_by("org_path", "id")
            .values_list("id", "name", "org_path")[:40]
        )
        for k in range(PAST + COMING):
            title, minutes = rng.choice(TITLES)
            past = k < PAST
            # Past ones weekly up to yesterday: this month's hours are not empty.
            day = today + dt.timedelta(days=-(1 + 7 * k) if past else 2 + 5 * (k - PAST))
            start = day + dt.timedelta(hours=rng.choice([8, 9, 14, 15]))
            end = start + dt.timedelta(minutes=minutes)
            slots = rng.choice([5, 8, 10, 15])
            code = "".join(rng.choice(CODE_ALPHABET) for _ in range(6))
            a_rows.append(
                (
                    aid,
                    team_id,
                    org_path,
                    title,
                    "",
                    f"{title}集合点",
                    area_id,
                    None,
                    start,
                    end,
                    slots,
                    True,
                    True,
                    code,
                    "open",
                    None,
                    now,
                )
            )
            taken = rng.sample(pool, min(len(pool), rng.randint(2, slots))) if pool else []
            for member_id, mname, mpath in taken:
                uid = accounts.get(member_id)
                s_rows.append(
                    (
                        sid,
                        aid,
                        uid,
                        mname,
                        member_id,
                        None,
                        "confirmed",
                        start if past else None,
                        end if past else None,
                        now,
                    )
                )
                if past:
                    h_rows.append(
                        (
                            hid,
                            aid,
                            sid,
                            team_id,
                            org_path,
                            uid,
                            mname,
                            member_id,
                            mpath,
                            timezone.localdate(start),
                            minutes,
                            None,
                            "签到签退",
                            None,
                            now,
                        )
                    )
                    hid += 1
                sid += 1
            aid += 1
    bulk_insert(
        Activity._meta.db_table,
        [
            "id",
            "team_id",
            "org_path",
            "title",
            "description",
            "place",
            "area_id",
            "center_id",
            "start",
            "end",
            "slots",
            "waitlist",
            "open_to_residents",
            "checkin_code",
            "status",
            "created_by_id",
            "created_at",
        ],
        a_rows,
    )
    bulk_insert(
        SignUp._meta.db_table,
        [
            "id",
            "activity_id",
            "user_id",
            "name",
            "member_id",
            "resident_id",
            "status",
            "checked_in_at",
            "checked_out_at",
            "created_at",
        ],
        s_rows,
    )
    bulk_insert(
        VolunteerHours._meta.db_table,
        [
            "id",
            "activity_id",
            "signup_id",
            "team_id",
            "org_path",
            "user_id",
            "name",
            "member_id",
            "member_org_path",
            "on",
            "minutes",
            "reverses_id",
            "note",
            "recorded_by_id",
            "created_at",
        ],
        h_rows,
    )
    ctx.say(f"志愿服务：{len(team_rows)} 支队伍，{len(a_rows)} 场活动，{len(s_rows)} 人次报名")


def wipe() -> None:
    VolunteerHours.objects.filter(reverses__isnull=False).delete()
    VolunteerHours.objects.all().delete()
    SignUp.objects.all().delete()
    Activity.objects.all().delete()
    VolunteerTeam.objects.all().delete()
