"""办 and 评: action items with an owner, a deadline, progress and linked cases; when every
action is done the residents who took part rate the outcome, and a majority of 不满意 reopens
the topic once."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import Resident, User
from tongxin.cases.models import Case
from tongxin.cases.selectors import case_queryset
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope
from tongxin.deliberation import selectors
from tongxin.deliberation.models import (
    ActionItem,
    OwnerKind,
    Rating,
    Satisfaction,
    Topic,
    TopicStatus,
)
from tongxin.deliberation.services.common import (
    _as_self,
    _audit,
    _public_text,
    _refuse,
    _require_topic,
)


@transaction.atomic
def action_add(
    *,
    scope: Scope,
    actor: User | None,
    topic: Topic,
    title: str,
    owner_kind: str,
    owner_name: str,
    deadline: dt.date | None,
    cases: list[Case] | None = None,
) -> ActionItem:
    _require_topic(scope, topic)
    if topic.status != TopicStatus.ACTING:
        raise ConflictError(gettext("只有议定后办理中的议题可以添加办理事项。"))
    errors: dict[str, str] = {}
    text, _m = _public_text(title)
    owner, _m2 = _public_text(owner_name)
    if not text:
        errors["title"] = gettext("请写明要办的事。")
    if owner_kind not in OwnerKind.values:
        errors["owner_kind"] = gettext("请选择责任方类型。")
    if not owner:
        errors["owner_name"] = gettext("请写明责任方，例如“紫金花园物业”。")
    if deadline is None:
        errors["deadline"] = gettext("请填写完成期限。")
    cases = cases or []
    reach = case_queryset(scope)
    if cases and reach.filter(pk__in=[c.pk for c in cases]).count() != len(set(cases)):
        errors["cases"] = gettext("关联的事件不在您的管辖范围内。")
    _refuse(errors)
    assert deadline is not None
    action = ActionItem.objects.create(
        topic=topic,
        title=text[:100],
        owner_kind=owner_kind,
        owner_name=owner[:60],
        deadline=deadline,
    )
    if cases:
        action.cases.set(cases)
    _audit(actor, "action_add", action, topic)
    return action


@transaction.atomic
def action_progress(
    *, scope: Scope, actor: User | None, action: ActionItem, progress: int, note: str = ""
) -> ActionItem:
    """Progress in percent; at 100 the action is done, and when every action of the topic is
    done the topic goes to 评."""
    topic = action.topic
    _require_topic(scope, topic)
    if topic.status != TopicStatus.ACTING or action.done_at is not None:
        raise ConflictError(gettext("该事项已办结或议题不在办理中。"))
    if not 0 <= progress <= 100:
        msg = gettext("进度应是0到100之间的整数。")
        raise ServiceError(msg, fields={"progress": msg})
    if progress < action.progress:
        msg = gettext("进度不能比上次（%(p)s%%）少。") % {"p": action.progress}
        raise ServiceError(msg, fields={"progress": msg})
    action.progress = progress
    action.note = _public_text(note)[0][:300] or action.note
    if progress == 100:
        action.done_at = timezone.now()
    action.save(update_fields=["progress", "note", "done_at"])
    if not topic.actions.filter(done_at__isnull=True).exists():
        topic.status = TopicStatus.RATING
        topic.save(update_fields=["status"])
    _audit(actor, "action_progress", action, topic, {"progress": progress})
    return action


@transaction.atomic
def rating_submit(*, actor: User | None, resident: Resident, topic: Topic, value: str) -> Rating:
    """评: a resident who took part rates the outcome once per round."""
    _as_self(actor, resident)
    if topic.status != TopicStatus.RATING:
        raise ConflictError(gettext("该议题现在不在评议阶段。"))
    if not selectors.took_part(topic, resident):
        raise ForbiddenError(gettext("只有提出、参加议事或参加表决的居民可以评议。"))
    if value not in Satisfaction.values:
        msg = gettext("请选择满意、基本满意或不满意。")
        raise ServiceError(msg, fields={"value": msg})
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                topic=topic, resident=resident, round=topic.rating_round, value=value
            )
    except IntegrityError:
        raise ConflictError(gettext("您已经评议过了。")) from None
    _audit(actor, "rating_submit", rating, topic, {"value": value})
    return rating


@transaction.atomic
def rating_close(*, scope: Scope, actor: User | None, topic: Topic) -> Topic:
    """The host closes 评: more than half 不满意 reopens the topic to 办 once; otherwise it is
    closed (办结)."""
    _require_topic(scope, topic)
    if topic.status != TopicStatus.RATING:
        raise ConflictError(gettext("该议题不在评议阶段。"))
    ratings = list(
        Rating.objects.filter(topic=topic, round=topic.rating_round).values_list("value", flat=True)
    )
    if not ratings:
        raise ConflictError(gettext("还没有居民评议，请等参与的居民评议后再结束。"))
    unsatisfied = sum(1 for v in ratings if v == Satisfaction.UNSATISFIED)
    if unsatisfied * 2 > len(ratings) and not topic.reopened:
        topic.status = TopicStatus.ACTING
        topic.reopened = True
        topic.rating_round += 1
        fields = ["status", "reopened", "rating_round"]
    else:
        topic.status = TopicStatus.CLOSED
        topic.closed_at = timezone.now()
        fields = ["status", "closed_at"]
    topic.save(update_fields=fields)
    _audit(actor, "rating_close", topic, topic, {"unsatisfied": unsatisfied, "n": len(ratings)})
    return topic
