"""分域定标: the default rule sets (data, seeded by ``seed_default_rule_sets``) and how a
member's rule set is chosen: the deepest rule set anchored on the member's organization or an
ancestor, else the one of the organization's domain, else one for every domain; each only when
it applies to (or exempts) the member's kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_noop

from tongxin.points.models import (
    MANUAL,
    SECTOR_DOMAIN,
    CapPeriod,
    Category,
    Domain,
    MemberKind,
    Rule,
    RuleSet,
    RuleSetVersion,
)

DEFAULT_FROM = dt.date(2020, 1, 1)
TENTH = Decimal("0.1")

# code, label, category, kind, points, cap (per year; None: no cap).
# 《中国共产党支部工作条例（试行）》第十九条: 三会一课; the 宁波 锋领指数 default: 三会一课 +3 capped
# at 12 a year, 主题党日 +2 capped at 8 (issue 14). The labels are data, stored in Chinese.
_BASE_RULES: list[tuple[str, str, str, str, str, str | None]] = [
    ("meeting", gettext_noop("参加三会一课"), Category.ORG_LIFE, "meeting_attended", "3", "12"),
    ("theme_day", gettext_noop("参加主题党日"), Category.ORG_LIFE, "meeting_theme_day", "2", "8"),
    ("absent", gettext_noop("无故缺席组织生活"), Category.NEGATIVE, "meeting_absent", "-2", "-10"),
    (
        "volunteer",
        gettext_noop("志愿服务（每小时）"),
        Category.VOLUNTEER,
        "volunteer_hours",
        "1",
        "20",
    ),
    (
        "dual_report",
        gettext_noop("双报到服务（每小时）"),
        Category.DUAL_REPORT,
        "dual_report_hours",
        "1",
        "10",
    ),
    ("visit", gettext_noop("走访、巡访"), Category.PIONEER, "visit_made", "1", "12"),
    ("dues_paid", gettext_noop("按时交纳党费"), Category.ORG_LIFE, "dues_paid", "0.5", "6"),
    ("dues_arrears", gettext_noop("欠缴党费"), Category.NEGATIVE, "dues_arrears", "-2", None),
    (
        "redsite",
        gettext_noop("红色阵地打卡学习"),
        Category.POLITICAL_STUDY,
        "redsite_checkin",
        "1",
        "6",
    ),
    ("study", gettext_noop("专题学习、撰写心得"), Category.POLITICAL_STUDY, MANUAL, "2", "10"),
    ("honour", gettext_noop("获得表彰、先进事迹"), Category.PIONEER, MANUAL, "5", "20"),
]
# Per domain: rule code -> (points, cap) where the domain differs from the base.
_DOMAIN_CHANGES: dict[str, dict[str, tuple[str, str | None]]] = {
    Domain.PUBLIC_INSTITUTION: {"dual_report": ("1.5", "15")},
    Domain.ENTERPRISE: {"volunteer": ("1", "15"), "honour": ("5", "25")},
    Domain.SOCIAL_ORG: {"volunteer": ("1.5", "24")},
    Domain.VILLAGE: {"visit": ("1.5", "15")},
    Domain.COMMUNITY: {"volunteer": ("1", "24"), "visit": ("1", "15")},
}
# 离退休、老弱病残 and 流动 members: what they can do counts, nothing is deducted.
_LIGHT_RULES = {"meeting", "theme_day", "volunteer", "redsite", "study", "honour"}


@dataclass(frozen=True)
class RuleBook:
    """Every rule set with its versions and rules, read once (a few hundred rows at most)."""

    sets: list[RuleSet]
    versions: dict[int, list[RuleSetVersion]]  # rule set id -> versions by valid_from
    rules: dict[int, list[Rule]]  # version id -> rules

    def version_on(self, rule_set: RuleSet, day: dt.date) -> RuleSetVersion | None:
        for v in self.versions.get(rule_set.pk, []):
            if v.covers(day):
                return v
        return None

    def rule_for(self, version: RuleSetVersion, kind: str) -> Rule | None:
        return next((r for r in self.rules.get(version.pk, []) if r.kind == kind), None)

    def choose(self, org_path: str, sector: str, kind: str) -> tuple[RuleSet | None, bool]:
        """(the member's rule set, whether the member is exempt under it)."""
        domain = SECTOR_DOMAIN.get(sector, Domain.COMMUNITY)
        anchored = sorted(
            (s for s in self.sets if s.org_path and org_path.startswith(s.org_path)),
            key=lambda s: -len(s.org_path),
        )
        by_domain = [s for s in self.sets if not s.org_path and s.domain == domain]
        anywhere = [s for s in self.sets if not s.org_path and not s.domain]
        for s in [*anchored, *by_domain, *anywhere]:
            if kind in s.exempt_kinds:
                return s, True
            if kind in s.kinds:
                return s, False
        return None, True


# The rule book changes only through the rule-set services, which forget it; a minute's TTL
# bounds how long another process with its own local cache may keep an older one.
CACHE_KEY = "points.rulebook"
CACHE_SECONDS = 60


def forget_rule_book() -> None:
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def load_rule_book() -> RuleBook:
    """Every rule set, version and rule (three queries, or none while the cache holds them)."""
    book = cache.get(CACHE_KEY)
    if isinstance(book, RuleBook):
        return book
    book = _read_rule_book()
    cache.set(CACHE_KEY, book, CACHE_SECONDS)
    return book


def _read_rule_book() -> RuleBook:
    sets = list(RuleSet.objects.order_by("id"))
    versions: dict[int, list[RuleSetVersion]] = {}
    for v in RuleSetVersion.objects.order_by("valid_from"):
        versions.setdefault(v.rule_set_id, []).append(v)
    rules: dict[int, list[Rule]] = {}
    for r in Rule.objects.order_by("id"):
        rules.setdefault(r.version_id, []).append(r)
    return RuleBook(sets, versions, rules)


def member_kind(*, is_floating: bool, retired: bool) -> str:
    if is_floating:
        return MemberKind.FLOATING
    if retired:
        return MemberKind.RETIRED
    return MemberKind.REGULAR


def _rules_for(domain: str | None) -> Iterable[tuple[str, str, str, str, Decimal, Decimal | None]]:
    changes = _DOMAIN_CHANGES.get(domain or "", {})
    for code, label, category, kind, points, cap in _BASE_RULES:
        if domain is None and code not in _LIGHT_RULES:
            continue
        points, cap = changes.get(code, (points, cap))
        yield code, label, category, kind, Decimal(points), Decimal(cap) if cap else None


def seed_default_rule_sets() -> int:
    """The default rule sets (one per domain, and one for retired and floating members), when
    none exists yet: idempotent. Returns how many were created."""
    if RuleSet.objects.exists():
        return 0
    forget_rule_book()
    plans: list[tuple[str, str, list[str]]] = [
        (f"{label}党员锋领指数", str(value), [MemberKind.REGULAR])
        for value, label in Domain.choices
    ]
    plans.append(
        ("离退休、老弱病残及流动党员锋领指数", "", [MemberKind.RETIRED, MemberKind.FLOATING])
    )
    for name, domain, kinds in plans:
        rs = RuleSet.objects.create(name=name, domain=domain, kinds=kinds)
        v = RuleSetVersion.objects.create(
            rule_set=rs,
            number=1,
            valid_from=DEFAULT_FROM,
            base_score=Decimal(60),
            red_threshold=Decimal(85),
            warn_threshold=Decimal(60),
            note="默认规则",
        )
        Rule.objects.bulk_create(
            Rule(
                version=v,
                code=code,
                label=label,
                category=category,
                kind=kind,
                points=points,
                cap=cap,
                cap_period=CapPeriod.YEAR,
            )
            for code, label, category, kind, points, cap in _rules_for(domain or None)
        )
    return len(plans)
