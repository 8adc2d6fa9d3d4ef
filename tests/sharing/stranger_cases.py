"""Stranger cases of tongxin.sharing.services (tests/stranger.py). The board's actors are
residents acting as themselves: charlie (secretary of branch B1 in street B, no resident record
in street A) acts through street-A residents' records and listings, and moderates street A's
board without sharing.moderate."""

from __future__ import annotations

from typing import Any

from tests import factories
from tests.stranger import case, not_acting
from tests.stranger_setup import scope_of, staged
from tongxin.accounts.models import Resident
from tongxin.sharing import services
from tongxin.sharing.models import Listing, ListingStatus, Match, MatchStatus

W = dict[str, Any]
S = "tongxin.sharing.services."

not_acting(S + "contact_notice", "a fixed sentence shown after posting; it writes nothing")
not_acting(S + "side_of", "a pure helper: which side of a match a resident is on")


def _resident(w: W, username: str, name: str) -> Resident:
    return Resident.objects.create(user=factories.user(username), name=name, home=w["compound_a"])


def _listing(r: Resident, direction: str = "need") -> Listing:
    data = services.ListingInput(direction=direction, kind="childcare", title="需要人接孩子")
    listing, _masked = services.listing_create(actor=r.user, resident=r, data=data)
    return listing


def _match(w: W, confirmed: bool = False) -> Match:
    ann, ben = _resident(w, "ann", "林安"), _resident(w, "ben", "周斌")
    m = services.match_propose(
        actor=ann.user, resident=ann, mine=_listing(ann), other=_listing(ben, "offer")
    )
    if confirmed:
        m = services.match_confirm(actor=ben.user, resident=ben, match=m)
    return m


def _charlie_as(w: W, r: Resident) -> dict[str, Any]:
    """charlie passing a street-A resident's record as his own."""
    return {"actor": w["charlie"], "resident": r}


@case(S + "listing_create")
def _(w: W) -> None:
    data = services.ListingInput(direction="offer", kind="childcare", title="代接孩子")
    staged(
        lambda: _resident(w, "ann", "林安"),
        lambda r: services.listing_create(**_charlie_as(w, r), data=data),
    )


@case(S + "listing_withdraw")
def _(w: W) -> None:
    staged(
        lambda: _listing(_resident(w, "ann", "林安")),
        lambda li: services.listing_withdraw(**_charlie_as(w, li.resident), listing=li),
    )


@case(S + "match_propose")
def _(w: W) -> None:
    def build() -> tuple[Listing, Listing]:
        return _listing(_resident(w, "ann", "林安")), _listing(_resident(w, "ben", "周斌"), "offer")

    staged(
        build,
        lambda pair: services.match_propose(
            **_charlie_as(w, pair[0].resident), mine=pair[0], other=pair[1]
        ),
    )


@case(S + "match_confirm")
def _(w: W) -> None:
    staged(
        lambda: _match(w),
        lambda m: services.match_confirm(**_charlie_as(w, m.offer.resident), match=m),
    )


@case(S + "match_cancel")
def _(w: W) -> None:
    staged(
        lambda: _match(w),
        lambda m: services.match_cancel(**_charlie_as(w, m.need.resident), match=m),
    )


@case(S + "match_complete")
def _(w: W) -> None:
    staged(
        lambda: _match(w, confirmed=True),
        lambda m: services.match_complete(**_charlie_as(w, m.need.resident), match=m),
    )


@case(S + "match_feedback")
def _(w: W) -> None:
    def build() -> Match:
        m = _match(w, confirmed=True)
        Match.objects.filter(pk=m.pk).update(status=MatchStatus.COMPLETED)
        m.refresh_from_db()
        return m

    staged(
        build,
        lambda m: services.match_feedback(**_charlie_as(w, m.need.resident), match=m, rating=1),
    )


@case(S + "match_reveal_contact")
def _(w: W) -> None:
    staged(
        lambda: _match(w, confirmed=True),
        lambda m: services.match_reveal_contact(**_charlie_as(w, m.need.resident), match=m),
    )


@case(S + "listing_report")
def _(w: W) -> None:
    def build() -> tuple[Resident, Listing]:
        return _resident(w, "ben", "周斌"), _listing(_resident(w, "ann", "林安"))

    staged(
        build,
        lambda rl: services.listing_report(**_charlie_as(w, rl[0]), listing=rl[1], reason="广告"),
    )


@case(S + "listing_review")
def _(w: W) -> None:
    def build() -> Listing:
        li = _listing(_resident(w, "ann", "林安"))
        Listing.objects.filter(pk=li.pk).update(status=ListingStatus.HIDDEN, report_count=3)
        li.refresh_from_db()
        return li

    staged(
        build,
        lambda li: services.listing_review(
            scope=scope_of(w["charlie"]), actor=w["charlie"], listing=li, decision="restore"
        ),
    )
