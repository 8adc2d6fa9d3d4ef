"""Stranger cases of tongxin.appraisal.services (tests/stranger.py): charlie, secretary of branch
B1 in street B, acts on street A's 千分制 standard and assessments and on its 述职评议 session,
and votes without being one of its raters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from tests.appraisal.conftest import (
    SYS,
    leaf_ids,
    make_session,
    make_set,
    open_assessment,
    reporter,
    submitted,
)
from tests.stranger import case, not_acting
from tests.stranger_setup import scope_of
from tongxin.appraisal.models import Grade, PoolKind
from tongxin.appraisal.services import assessment as asvc
from tongxin.appraisal.services import review as rsvc

W = dict[str, Any]
A = "tongxin.appraisal.services.assessment."
R = "tongxin.appraisal.services.review."
D = dt.date(2026, 4, 10)

not_acting(A + "pts", "a pure formatter of points")


def _c(w: W) -> dict[str, Any]:
    return {"scope": scope_of(w["charlie"]), "actor": w["charlie"]}


@case(A + "indicator_set_create")
def _(w: W) -> None:
    asvc.indicator_set_create(**_c(w), org=w["street_a"], year=2026, level="community", name="x")


@case(A + "indicator_add")
def _(w: W) -> Iterator[None]:
    s = make_set(w, publish=False)
    yield
    asvc.indicator_add(**_c(w), indicator_set=s, data=asvc.IndicatorInput(name="x", weight=1))


@case(A + "indicator_set_publish")
def _(w: W) -> Iterator[None]:
    s = make_set(w, publish=False)
    yield
    asvc.indicator_set_publish(**_c(w), indicator_set=s)


@case(A + "assessment_open")
def _(w: W) -> Iterator[None]:
    s = make_set(w)
    yield
    asvc.assessment_open(**_c(w), indicator_set=s, org=w["comm_a_org"], quarter=1)


@case(A + "self_score_save")
def _(w: W) -> Iterator[None]:
    a = open_assessment(w)
    ids = leaf_ids(a)
    yield
    asvc.self_score_save(**_c(w), assessment=a, scores={ids["三会一课"]: 1})


@case(A + "self_score_submit")
def _(w: W) -> Iterator[None]:
    a = open_assessment(w)
    yield
    asvc.self_score_submit(**_c(w), assessment=a)


@case(A + "assessor_score_save")
def _(w: W) -> Iterator[None]:
    a = submitted(w)
    ids = leaf_ids(a)
    yield
    asvc.assessor_score_save(**_c(w), assessment=a, scores={ids["三会一课"]: 1})


def _assessed(w: W) -> Any:
    a = submitted(w)
    asvc.assessor_score_save(**SYS, assessment=a, scores=dict.fromkeys(leaf_ids(a).values(), 1))
    return asvc.assessment_assess(**SYS, assessment=a, today=D)


@case(A + "assessment_assess")
def _(w: W) -> Iterator[None]:
    a = submitted(w)
    asvc.assessor_score_save(**SYS, assessment=a, scores=dict.fromkeys(leaf_ids(a).values(), 1))
    yield
    asvc.assessment_assess(**_c(w), assessment=a, today=D)


@case(A + "appeal_file")
def _(w: W) -> Iterator[None]:
    a = _assessed(w)
    yield
    asvc.appeal_file(
        **_c(w), assessment=a, indicator_id=leaf_ids(a)["三会一课"], reason="x", today=D
    )


@case(A + "appeal_decide")
def _(w: W) -> Iterator[None]:
    a = _assessed(w)
    appeal = asvc.appeal_file(
        **SYS, assessment=a, indicator_id=leaf_ids(a)["三会一课"], reason="x", today=D
    )
    yield
    asvc.appeal_decide(**_c(w), appeal=appeal, upheld=True, decision="x", new_score=2)


@case(A + "assessment_finalize")
def _(w: W) -> Iterator[None]:
    a = _assessed(w)
    yield
    asvc.assessment_finalize(**_c(w), assessment=a, today=D + dt.timedelta(days=30))


@case(R + "review_create")
def _(w: W) -> None:
    rsvc.review_create(
        **_c(w),
        org=w["street_a"],
        title="x",
        year=2026,
        kind="org",
        pools=[rsvc.PoolInput(PoolKind.MEMBERS, 100)],
    )


@case(R + "rater_add")
def _(w: W) -> Iterator[None]:
    session = make_session(w)
    pool = session.pools.first()
    yield
    rsvc.rater_add(**_c(w), pool=pool, name="x")


@case(R + "reporter_add")
def _(w: W) -> Iterator[None]:
    session = make_session(w)
    yield
    rsvc.reporter_add(**_c(w), session=session, org=w["branch_a2"])


@case(R + "report_save")
def _(w: W) -> Iterator[None]:
    session = make_session(w)
    yield
    rsvc.report_save(**_c(w), reporter=reporter(session), text="x")


@case(R + "review_open")
def _(w: W) -> Iterator[None]:
    session = make_session(w)
    yield
    rsvc.review_open(**_c(w), session=session)


@case(R + "review_close")
def _(w: W) -> Iterator[None]:
    session = make_session(w)
    rsvc.review_open(**SYS, session=session)
    yield
    rsvc.review_close(**_c(w), session=session)


@case(R + "review_announce")
def _(w: W) -> Iterator[None]:
    session = make_session(w)
    rsvc.review_open(**SYS, session=session)
    rsvc.review_close(**SYS, session=session)
    yield
    rsvc.review_announce(**_c(w), session=session)


@case(R + "ballot_cast")
def _(w: W) -> Iterator[None]:
    session = make_session(w)
    rsvc.review_open(**SYS, session=session)
    yield
    rsvc.ballot_cast(**_c(w), session=session, reporter=reporter(session), grade=Grade.GOOD)


@case(R + "ballot_enter")
def _(w: W) -> Iterator[None]:
    session = make_session(w)
    rsvc.review_open(**SYS, session=session)
    yield
    rsvc.ballot_enter(
        **_c(w), rater=w["upper_raters"][0], reporter=reporter(session), grade=Grade.GOOD
    )


@case(R + "item_add")
def _(w: W) -> Iterator[None]:
    session = make_session(w)
    yield
    rsvc.item_add(**_c(w), reporter=reporter(session), title="x", owner="y", deadline=D)


@case(R + "item_progress")
def _(w: W) -> Iterator[None]:
    session = make_session(w)
    item = rsvc.item_add(**SYS, reporter=reporter(session), title="x", owner="y", deadline=D)
    yield
    rsvc.item_progress(**_c(w), item=item, progress=50, note="")
