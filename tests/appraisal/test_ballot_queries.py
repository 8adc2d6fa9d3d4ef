"""A phone ballot costs a fixed number of queries, however many ballots the session holds:
the middleware's session and user, the reporter, then one transaction with the rater (and
the session's status), the ballot and its audit row. The session itself is not written."""

from __future__ import annotations

import pytest

from tests.appraisal.conftest import SYS, make_session, reporter
from tongxin.appraisal.models import Ballot, Grade
from tongxin.appraisal.services import review as rsvc
from tongxin.core.models import AuditLog

# session, user, reporter with its session; SAVEPOINT (the test's transaction: BEGIN in
# production), rater with the session's status, INSERT ballot, INSERT audit row, RELEASE.
BALLOT_QUERIES = 8


@pytest.mark.parametrize("earlier", [0, 5])
def test_one_phone_ballot_is_a_fixed_number_of_queries(
    world, client_for, django_assert_num_queries, earlier
):
    session = make_session(world)
    rsvc.review_open(**SYS, session=session)
    rep = reporter(session)
    for u in world["voters"][1 : 1 + earlier]:
        client_for(u).post(f"/appraisal/v/{session.token}/{rep.pk}/", {"grade": Grade.GOOD})
    assert Ballot.objects.count() == earlier
    c = client_for(world["voters"][0])
    assert c.get(f"/appraisal/v/{session.token}/").status_code == 200  # the page, then the vote
    audits = AuditLog.objects.filter(action="appraisal.ballot_cast").count()
    with django_assert_num_queries(BALLOT_QUERIES):
        r = c.post(f"/appraisal/v/{session.token}/{rep.pk}/", {"grade": Grade.GOOD})
    assert r.status_code == 302 and r["Location"].endswith(f"?ok={rep.pk}")
    assert Ballot.objects.filter(rater__user=world["voters"][0]).get().grade == Grade.GOOD
    assert AuditLog.objects.filter(action="appraisal.ballot_cast").count() == audits + 1


def test_a_second_phone_ballot_is_refused_and_writes_nothing(world, client_for):
    session = make_session(world)
    rsvc.review_open(**SYS, session=session)
    rep = reporter(session)
    c = client_for(world["voters"][0])
    c.post(f"/appraisal/v/{session.token}/{rep.pk}/", {"grade": Grade.GOOD})
    audits = AuditLog.objects.count()
    r = c.post(f"/appraisal/v/{session.token}/{rep.pk}/", {"grade": Grade.POOR}, follow=True)
    assert "每人只能投一次" in r.content.decode()
    assert Ballot.objects.get().grade == Grade.GOOD
    assert AuditLog.objects.count() == audits


def test_a_ballot_after_close_is_refused_through_the_page(world, client_for):
    session = make_session(world)
    rsvc.review_open(**SYS, session=session)
    rep = reporter(session)
    c = client_for(world["voters"][0])
    assert c.get(f"/appraisal/v/{session.token}/").status_code == 200
    rsvc.review_close(**SYS, session=session)
    r = c.post(f"/appraisal/v/{session.token}/{rep.pk}/", {"grade": Grade.GOOD}, follow=True)
    assert "不在投票时间内" in r.content.decode()
    assert not Ballot.objects.exists()
