"""Demo 微项目 (seed 002: 126 projects answering 5 aspects and 21 categories of needs, 30,000+
participants): about 30 projects for the town, 126 for the city, each led by a community Party
organization (大掌柜) and, where one is registered nearby, run by a social organization
(店小二); with the suggestions they answer, budget lines, activities and residents' ratings.
The first projects serve the demo street, and one the resident ``jumin``'s community."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from tongxin.accounts.models import Resident, RoleAssignment
from tongxin.centers.models import SocialOrganization
from tongxin.core.demodata import DemoContext
from tongxin.orgs.models import Organization
from tongxin.projects.models import (
    BudgetLine,
    MicroProject,
    NeedCategory,
    ProjectActivity,
    ProjectRating,
    ProjectSignup,
    ProjectStatus,
    Suggestion,
)

PROJECTS = {"town": 30, "city": 126}
NAMES = [
    "爱心发屋",
    "邻里驿站",
    "巧手屋",
    "最美阳台",
    "长者食堂",
    "四点半课堂",
    "楼道微更新",
    "垃圾分类督导",
    "平安巡防队",
    "老兵调解室",
    "智能手机课堂",
    "邻里节",
    "共享工具房",
    "银龄互助",
    "小小志愿者",
    "口袋公园",
    "停车微治理",
    "消防安全进楼道",
]
ACTIVITIES = ["启动仪式", "入户走访", "集中服务日", "技能培训", "成果展示", "居民议事会"]
LINE_ITEMS = ["活动物料", "场地布置", "专业服务费", "志愿者保险", "宣传印刷"]
SUGGESTIONS = [
    "希望有人帮忙照看独居老人",
    "楼道堆物太多影响通行",
    "孩子放学后没人看管",
    "小区停车太乱",
    "希望多办邻里活动",
    "老人不会用智能手机",
    "垃圾分类点太脏",
    "晚上小区不太安全",
    "想学点手艺",
    "阳台绿化想统一美化",
]


def _jumin_community_path() -> str | None:
    r = Resident.objects.filter(user__username="jumin").select_related("home").first()
    return r.home.path[:-4] if r is not None else None


def _street_of_jiedao() -> str | None:
    ra = RoleAssignment.objects.filter(user__username="jiedao").select_related("org__area").first()
    if ra is not None and ra.org is not None and ra.org.area is not None:
        return ra.org.area.path
    return None


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    categories = list(NeedCategory.objects.filter(active=True).order_by("aspect__order", "order"))
    leads = list(
        Organization.objects.filter(
            area__level="community", kind__in=["committee", "branch", "general_branch"]
        )
        .select_related("area")
        .order_by("path")
    )
    if not categories or not leads:
        return
    # One lead per community; the demo street's and jumin's first.
    by_area: dict[int, Organization] = {}
    for o in leads:
        by_area.setdefault(o.area_id, o)
    leads = list(by_area.values())
    street, home = _street_of_jiedao(), _jumin_community_path()

    def rank(o: Organization) -> tuple[int, str]:
        path = o.area.path if o.area is not None else ""  # (every lead has one: filtered above)
        return (
            0 if home and path == home else 1 if street and path.startswith(street) else 2,
            path,
        )

    leads.sort(key=rank)
    n = PROJECTS[ctx.scale]
    local = [o for o in leads if rank(o)[0] < 2][: n // 3]
    others = [o for o in leads if rank(o)[0] == 2]
    rng.shuffle(others)
    chosen = (local + others)[:n]
    while len(chosen) < n:
        chosen.append(leads[len(chosen) % len(leads)])
    operators: dict[str, list[SocialOrganization]] = defaultdict(list)
    for s in SocialOrganization.objects.select_related("area"):
        operators[s.area.path[:12]].append(s)  # by street
    residents: dict[str, list[int]] = defaultdict(list)
    area_len = len(chosen[0].area.path)
    for pk, path in Resident.objects.values_list("id", "home__path"):
        residents[path[:area_len]].append(pk)

    today = ctx.today
    projects = []
    for i, org in enumerate(chosen):
        area = org.area
        assert area is not None
        status = rng.choices(
            [ProjectStatus.COMPLETED, ProjectStatus.RUNNING, ProjectStatus.PLANNED], [60, 30, 10]
        )[0]
        starts = today - dt.timedelta(days=rng.randrange(30, 700))
        near = operators.get(area.path[:12], [])
        projects.append(
            MicroProject(
                name=f"{area.name}{NAMES[i % len(NAMES)]}",
                category=categories[i % len(categories)],
                summary="居民提出需求，社区党组织牵头整合资源，社会组织专业运营。",
                lead_org=org,
                lead_org_path=org.path,
                area=area,
                area_path=area.path,
                operator=near[i % len(near)] if near else None,
                budget_fen=rng.randrange(50, 500) * 10_000,
                starts_on=starts,
                ends_on=starts + dt.timedelta(days=rng.choice([90, 180, 365])),
                status=status,
                outcome="按期完成，居民满意度高。" if status == ProjectStatus.COMPLETED else "",
            )
        )
    MicroProject.objects.bulk_create(projects)
    suggestions, lines, activities, ratings, signups = [], [], [], [], []
    for i, p in enumerate(projects):
        for k in range(3):
            online = k % 2 == 0
            suggestions.append(
                Suggestion(
                    title=SUGGESTIONS[(i + k) % len(SUGGESTIONS)],
                    category=p.category,
                    area=p.area,
                    area_path=p.area_path,
                    source="online" if online else "meeting",
                    meeting=""
                    if online
                    else rng.choice(["墙门月光会", "居民说事厅", "小巷公议会"]),
                    status="adopted",
                    project=p,
                )
            )
        left = p.budget_fen
        for item in rng.sample(LINE_ITEMS, 3):
            amount = rng.randrange(1, 4) * left // 10
            if amount:
                lines.append(BudgetLine(project=p, item=item, amount_fen=amount))
                left -= amount
        if p.status != ProjectStatus.PLANNED:
            for k in range(rng.randrange(2, 5)):
                assert p.starts_on is not None
                activities.append(
                    ProjectActivity(
                        project=p,
                        title=ACTIVITIES[k % len(ACTIVITIES)],
                        held_on=min(p.starts_on + dt.timedelta(days=20 * k), today),
                        place=f"{p.area.name}党群服务站",
                        participants=rng.randrange(40, 120),
                    )
                )
        nearby = residents.get(p.area_path[:area_len], [])
        for rid in rng.sample(nearby, min(len(nearby), 5)):
            signups.append(ProjectSignup(project=p, resident_id=rid))
            if p.status == ProjectStatus.COMPLETED:
                ratings.append(
                    ProjectRating(
                        project=p,
                        resident_id=rid,
                        score=rng.choice([4, 5, 5, 5, 3]),
                        comment=rng.choice(["很实用", "希望继续办", ""]),
                    )
                )
    for j in range(n // 2):  # waiting to be packaged
        p = projects[j % len(projects)]
        suggestions.append(
            Suggestion(
                title=SUGGESTIONS[(j + 5) % len(SUGGESTIONS)],
                category=categories[j % len(categories)],
                area=p.area,
                area_path=p.area_path,
                source="online",
                status="new",
            )
        )
    Suggestion.objects.bulk_create(suggestions)
    BudgetLine.objects.bulk_create(lines)
    ProjectActivity.objects.bulk_create(activities)
    ProjectSignup.objects.bulk_create(signups)
    ProjectRating.objects.bulk_create(ratings)
    total = sum(a.participants for a in activities)
    ctx.say(f"微项目：{len(projects)} 个，参与 {total} 人次，{len(suggestions)} 条居民建议")


def wipe() -> None:
    for model in (ProjectRating, ProjectSignup, ProjectActivity, BudgetLine):
        model.objects.all().delete()
    Suggestion.objects.all().delete()
    MicroProject.objects.all().delete()
