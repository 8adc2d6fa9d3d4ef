"""Every write of 预警: the rules (versioned), the sweep that opens, updates, resolves and
escalates warnings, and acknowledging one with a note.

The sweep is set-based per rule: the rule's check computes its figure for every organization
in a few grouped queries (``core.alert_checks``), and the warnings are created, updated and
resolved in bulk. New, raised and escalated warnings are delivered to the inboxes of the people
holding a role at the owning organization (inbox.services.deliver, idempotent per warning,
level and owner).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.alerts import selectors
from tongxin.alerts.defaults import DEFAULT_RULES
from tongxin.alerts.models import Alert, AlertRule, AlertState, Level
from tongxin.core.alert_checks import CHECKS, AlertCheck
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope, require
from tongxin.inbox.services import deliver
from tongxin.orgs.models import Organization, OrgKind

KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


@dataclass
class RuleInput:
    key: str
    check_key: str
    title: str
    yellow_at: int
    red_at: int
    org_kinds: list[str]
    escalate_after_days: int = 7
    red_to_parent: bool = False


def _validate(data: RuleInput) -> None:
    fields: dict[str, str] = {}
    if data.check_key not in CHECKS:
        fields["check_key"] = gettext("没有这个指标，请从已登记的指标中选择。")
    if data.yellow_at < 1:
        fields["yellow_at"] = gettext("黄色阈值至少为 1。")
    if data.red_at < 1:
        fields["red_at"] = gettext("红色阈值至少为 1。")
    elif data.yellow_at > data.red_at:
        fields["yellow_at"] = gettext("黄色阈值不能高于红色阈值。")
    bad = [k for k in data.org_kinds if k not in OrgKind.values]
    if bad:
        fields["org_kinds"] = gettext("组织类型无效：%(k)s。") % {"k": "、".join(bad)}
    if not 1 <= data.escalate_after_days <= 365:
        fields["escalate_after_days"] = gettext("升级天数应在 1 到 365 之间。")
    if not data.key or not data.title:
        fields["key" if not data.key else "title"] = gettext("请填写规则代码和名称。")
    elif not KEY_RE.fullmatch(data.key):
        fields["key"] = gettext("规则代码只能由小写字母、数字和连字符组成，最多 60 个字符。")
    elif len(data.title) > 100:
        fields["title"] = gettext("名称不能超过 100 个字。")
    if fields:
        raise ServiceError(gettext("预警规则有误，请按提示修改。"), fields=fields)


@transaction.atomic
def rule_save(*, actor: AbstractBaseUser | None, scope: Scope, data: RuleInput) -> AlertRule:
    """A new version of a rule (the first when the key is new); the previous one stops."""
    require(
        selectors.may_edit_rules(scope),
        gettext("只有市、区县党委组织部可以修改预警规则。"),
    )
    _validate(data)
    previous = AlertRule.objects.select_for_update().filter(key=data.key, active=True).first()
    version = (previous.version + 1) if previous else 1
    if previous:
        previous.active = False
        previous.save(update_fields=["active"])
    rule = AlertRule.objects.create(
        key=data.key,
        version=version,
        check_key=data.check_key,
        title=data.title,
        yellow_at=data.yellow_at,
        red_at=data.red_at,
        org_kinds=sorted(set(data.org_kinds)),
        escalate_after_days=data.escalate_after_days,
        red_to_parent=data.red_to_parent,
        created_by_id=actor.pk if actor is not None else None,
    )
    audit(
        actor=actor,
        action="alerts.rule_save",
        obj=rule,
        installation_wide=True,
        diff={"key": rule.key, "version": version, "yellow": rule.yellow_at, "red": rule.red_at},
    )
    return rule


def rules_ensure_defaults() -> int:
    """Load each default rule whose key has no rule yet (idempotent; one query when all are
    there)."""
    have = set(AlertRule.objects.values_list("key", flat=True).distinct())
    rows = [
        AlertRule(
            key=key,
            check_key=check,
            title=title,
            yellow_at=y,
            red_at=r,
            org_kinds=kinds,
            escalate_after_days=days,
            red_to_parent=up,
        )
        for key, check, title, y, r, kinds, days, up in DEFAULT_RULES
        if key not in have
    ]
    if rows:
        AlertRule.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _level(rule: AlertRule, value: int) -> str:
    return Level.RED if value >= rule.red_at else Level.YELLOW


class _Tree:
    """Every organization's path and kind, and each path's id: one query per sweep."""

    def __init__(self) -> None:
        self.path: dict[int, str] = {}
        self.kind: dict[int, str] = {}
        self.name: dict[int, str] = {}
        self.by_path: dict[str, int] = {}
        for pk, path, kind, name in Organization.objects.values_list("pk", "path", "kind", "name"):
            self.path[pk], self.kind[pk], self.by_path[path] = path, kind, pk
            self.name[pk] = name

    def parent(self, org_id: int) -> int | None:
        return self.by_path.get(self.path[org_id][:-4])


def _sweep_rule(
    rule: AlertRule, check: AlertCheck, tree: _Tree, now: dt.datetime, stats: Counter[str]
) -> list[Alert]:
    """Open, update and resolve this rule's warnings; returns those to deliver."""
    kinds = set(rule.org_kinds)
    findings = {
        f.org_id: f
        for f in check.fn(timezone.localdate(now))
        if f.value >= rule.yellow_at
        and f.org_id in tree.path
        and (not kinds or tree.kind[f.org_id] in kinds)
    }
    live = {
        a.org_id: a
        for a in Alert.objects.filter(rule_key=rule.key).exclude(state=AlertState.RESOLVED)
    }
    notify: list[Alert] = []
    new: list[Alert] = []
    for org_id in findings.keys() - live.keys():
        f = findings[org_id]
        level = _level(rule, f.value)
        owner = org_id
        if level == Level.RED and rule.red_to_parent:
            owner = tree.parent(org_id) or org_id
        new.append(
            Alert(
                rule=rule,
                rule_key=rule.key,
                org_id=org_id,
                org_path=tree.path[org_id],
                owner_id=owner,
                owner_path=tree.path[owner],
                owner_since=now,
                level=level,
                value=f.value,
                detail=f.detail[:200],
                link=check.link(org_id)[:300],
                opened_at=now,
            )
        )
    Alert.objects.bulk_create(new, batch_size=500)
    notify.extend(new)
    stats["opened"] += len(new)
    changed: list[Alert] = []
    for org_id in findings.keys() & live.keys():
        a, f = live[org_id], findings[org_id]
        level = _level(rule, f.value)
        if a.value == f.value and a.level == level:
            continue
        raised = level == Level.RED and a.level == Level.YELLOW
        a.value, a.level, a.detail, a.rule = f.value, level, f.detail[:200], rule
        if raised:
            # A worse condition asks again: the acknowledgment was for the yellow one.
            a.state = AlertState.OPEN
            if rule.red_to_parent:
                owner = tree.parent(org_id) or org_id
                a.owner_id, a.owner_path, a.owner_since = owner, tree.path[owner], now
            notify.append(a)
            stats["raised"] += 1
        changed.append(a)
    Alert.objects.bulk_update(
        changed,
        ["value", "level", "detail", "rule", "state", "owner", "owner_path", "owner_since"],
        batch_size=500,
    )
    gone = [a.pk for org_id, a in live.items() if org_id not in findings]
    for start in range(0, len(gone), 500):
        Alert.objects.filter(pk__in=gone[start : start + 500]).update(
            state=AlertState.RESOLVED, resolved_at=now
        )
    stats["resolved"] += len(gone)
    return notify


def _escalate(tree: _Tree, now: dt.datetime, stats: Counter[str]) -> list[Alert]:
    """Unacknowledged warnings older than their rule's days go to the organization above."""
    out: list[Alert] = []
    for rule in AlertRule.objects.filter(alerts__state=AlertState.OPEN).distinct():
        due = Alert.objects.filter(
            rule=rule,
            state=AlertState.OPEN,
            owner_since__lte=now - dt.timedelta(days=rule.escalate_after_days),
        )
        for a in due:
            parent = tree.parent(a.owner_id) if a.owner_id in tree.path else None
            if parent is None:
                continue  # the root has no one above it
            a.owner_id, a.owner_path, a.owner_since = parent, tree.path[parent], now
            a.escalations += 1
            out.append(a)
    Alert.objects.bulk_update(
        out, ["owner", "owner_path", "owner_since", "escalations"], batch_size=500
    )
    stats["escalated"] += len(out)
    return out


def _deliver(alerts: list[Alert], tree: _Tree) -> int:
    users = selectors.owners_users({a.owner_id for a in alerts})
    sent = 0
    for a in alerts:
        recipients = users.get(a.owner_id, [])
        if not recipients:
            continue
        rule_title = a.rule.title if a.rule_id else a.rule_key
        name = tree.name.get(a.org_id, "")
        level = Level(a.level).label
        title = f"【{level}】{name}：{rule_title}"
        if a.escalations:
            title += gettext("（逾期未签收，已升级）")
        sent += deliver(
            recipients=recipients,
            kind="warning",
            key=f"alerts.alert:{a.pk}:{a.level}:{a.owner_id}",
            title=title,
            body=a.detail,
            link=a.link,
            org_path=a.owner_path,
        )
    return sent


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Evaluate every active rule (the periodic task; idempotent: a second run at the same
    moment changes nothing and delivers nothing). ``now`` moves the clock in tests."""
    now = now or timezone.now()
    rules_ensure_defaults()
    stats: Counter[str] = Counter()
    tree = _Tree()
    notify: list[Alert] = []
    with transaction.atomic():
        for rule in AlertRule.objects.filter(active=True).order_by("key"):
            check = CHECKS.get(rule.check_key)
            if check is None:
                continue  # its module is not installed
            notify.extend(_sweep_rule(rule, check, tree, now, stats))
        notify.extend(_escalate(tree, now, stats))
        stats["delivered"] = _deliver(notify, tree)
    return dict(stats)


@transaction.atomic
def alert_acknowledge(
    *, actor: AbstractBaseUser | None, scope: Scope, alert: Alert, note: str
) -> Alert:
    """签收: the owner says they are on it; it no longer escalates. It resolves by itself when
    the condition clears."""
    require(
        selectors.may_acknowledge(scope, alert),
        gettext("只有责任组织的人员可以签收这条预警。"),
    )
    note = (note or "").strip()
    if not note:
        raise ServiceError(
            gettext("请填写签收说明：打算如何处理。"),
            fields={"note": gettext("请填写签收说明。")},
        )
    if len(note) > 500:
        raise ServiceError(
            gettext("签收说明不能超过 500 字。"), fields={"note": gettext("请缩短签收说明。")}
        )
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.state != AlertState.OPEN:
        raise ConflictError(gettext("这条预警已签收或已解除，无需再签收。"))
    alert.state = AlertState.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by_id = actor.pk if actor is not None else None
    alert.note = note
    alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "note"])
    audit(actor=actor, action="alerts.acknowledge", obj=alert, org_path=alert.owner_path)
    return alert
