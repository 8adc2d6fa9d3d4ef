"""The member card's tokens and short codes (tongxin.meetings.card), the reusable check-in API."""

from __future__ import annotations

import time

import pytest
from django.core import signing

from tests.meetings.conftest import refused
from tongxin.meetings import card
from tongxin.meetings.models import TokenUse


def test_a_token_names_its_member_once_per_context(world):
    m = world["m_a1"]
    token = card.issue_token(m.pk)
    assert card.verify_token(token, context="meeting:1") == m.pk
    with refused("已经使用过"):
        card.verify_token(token, context="meeting:1")
    # one use per context: the same token may open another context (another meeting)
    assert card.verify_token(token, context="activity:9") == m.pk
    assert TokenUse.objects.count() == 2


def test_expired_forged_and_other_context_tokens_are_refused(world, monkeypatch):
    m = world["m_a1"]
    token = card.issue_token(m.pk)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 61)
    with refused("过期"):
        card.verify_token(token, context="meeting:1")
    monkeypatch.setattr(time, "time", real)
    with refused("校验失败"):
        card.verify_token(token[:-3] + "AAA", context="meeting:1")
    forged = card.PREFIX + signing.dumps({"m": m.pk, "n": "x"}, salt="other", compress=False)
    with refused("校验失败"):
        card.verify_token(forged, context="meeting:1")
    with refused("无法识别"):
        card.verify_token("https://example.com/", context="meeting:1")
    bound = card.issue_token(m.pk, "meeting:2")
    with refused("另一场"):
        card.verify_token(bound, context="meeting:1")
    assert card.verify_token(bound, context="meeting:2") == m.pk


def test_short_codes_last_at_most_two_slots_and_only_match_candidates(world, monkeypatch):
    m, other = world["m_a1"], world["m_b1"]
    code = card.short_code(m.pk)
    assert len(code) == 6 and set(code) <= set(card.CODE_ALPHABET)
    with refused("无效或已过期"):
        card.verify_code(code, context="meeting:1", candidates=[other.pk])
    assert card.verify_code(code.lower(), context="meeting:1", candidates=[other.pk, m.pk]) == m.pk
    with refused("已经使用过"):
        card.verify_code(code, context="meeting:1", candidates=[m.pk])
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 2 * card.SLOT_SECONDS + 1)
    with refused("无效或已过期"):
        card.verify_code(code, context="meeting:2", candidates=[m.pk])
    with refused("6位"):
        card.verify_code("12", context="meeting:2", candidates=[m.pk])


@pytest.mark.parametrize("text", ["", "   "])
def test_verify_of_nothing_is_refused(world, text):
    with refused():
        card.verify(text, context="meeting:1", candidates=[world["m_a1"].pk])


def test_the_qr_is_an_svg_data_uri(world):
    uri = card.qr_svg_data_uri(card.issue_token(world["m_a1"].pk))
    assert uri.startswith("data:image/svg+xml")
