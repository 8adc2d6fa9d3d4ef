"""The board's rules: contact details masked, who sees what, suggestions, the match flow,
moderation. Every refusal is a Chinese sentence and writes nothing."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.utils import timezone

from tests.helpers import is_chinese
from tests.sharing.conftest import make_resident, post
from tests.stranger_setup import scope_of
from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog
from tongxin.sharing import selectors, services
from tongxin.sharing.models import Listing, ListingReport, ListingStatus, ListingToken, Match


@contextmanager
def refused(field: str | None = None, contains: str = ""):
    def counts() -> tuple[object, ...]:
        return (
            Listing.objects.count(),
            ListingToken.objects.count(),
            Match.objects.count(),
            ListingReport.objects.count(),
            AuditLog.objects.count(),
            list(Listing.objects.values_list("status", "report_count").order_by("id")),
            list(
                Match.objects.values_list(
                    "status", "need_confirmed_at", "offer_confirmed_at"
                ).order_by("id")
            ),
        )

    before = counts()
    with pytest.raises(ServiceError) as exc:
        yield exc
    err = exc.value
    assert is_chinese(err.message), err.message
    if field:
        assert field in err.fields and is_chinese(err.fields[field]), err.fields
        assert contains in err.fields[field]
    else:
        assert contains in err.message, err.message
    assert counts() == before, "a refused operation must write nothing"


def test_phone_numbers_and_wechat_ids_are_masked_on_save(town):
    ann = town["ann"]
    listing, masked = services.listing_create(
        actor=ann.user,
        resident=ann,
        data=services.ListingInput(
            direction="offer",
            kind="idle_goods",
            title="婴儿推车转让 电话13812345678",
            body="九成新，加微信: mama_2024 或打 0574-87654321，也可以 １３９ ０５７４ ８８８８",
        ),
    )
    assert masked and listing.contact_masked
    for secret in ("13812345678", "mama_2024", "87654321", "0574", "8888"):
        assert secret not in listing.title + listing.body
    assert "[联系方式已隐藏]" in listing.title and listing.body.count("[联系方式已隐藏]") == 3
    assert is_chinese(services.contact_notice())
    # nothing of it in the audit log or the tokens either
    assert not ListingToken.objects.filter(token__contains="1381").exists()
    assert "1381" not in str(AuditLog.objects.filter(action="sharing.listing_create").get().diff)


def test_plain_text_is_not_masked(town):
    listing = post(
        town["ann"], "need", "周末需要有人帮忙接孩子放学", body="二年级，下午4点，大约30分钟"
    )
    assert not listing.contact_masked
    assert listing.body == "二年级，下午4点，大约30分钟"


def test_bad_listing_input_is_refused(town):
    ann = town["ann"]
    today = timezone.localdate()
    with refused("title", "标题"):
        services.listing_create(
            actor=ann.user,
            resident=ann,
            data=services.ListingInput(direction="need", kind="tool", title="  "),
        )
    with refused("kind", "类别"):
        services.listing_create(
            actor=ann.user,
            resident=ann,
            data=services.ListingInput(direction="need", kind="weapons", title="借电钻"),
        )
    with refused("available_until", "结束日期"):
        services.listing_create(
            actor=ann.user,
            resident=ann,
            data=services.ListingInput(
                direction="need",
                kind="tool",
                title="借电钻",
                available_from=today,
                available_until=today - dt.timedelta(days=1),
            ),
        )


def test_the_board_is_the_compound_by_default_and_wider_on_request(town):
    ann, dan, eve = town["ann"], town["dan"], town["eve"]
    inside = post(ann, "need", "找人帮忙接孩子")
    community = post(ann, "offer", "周末可以照看孩子", visibility="community")
    street = post(ann, "offer", "旧书免费送", kind="idle_goods", visibility="street")

    def board_of(r):
        return set(selectors.board(selectors.place_of(r)).values_list("pk", flat=True))

    assert board_of(town["ben"]) == {inside.pk, community.pk, street.pk}
    assert board_of(dan) == {community.pk, street.pk}  # the other compound of the community
    assert board_of(eve) == set()  # street B sees nothing of street A
    with pytest.raises(Exception) as exc:
        selectors.get_listing_for_resident(eve, selectors.place_of(eve), inside.pk)
    assert exc.type.__name__ == "Http404"


def test_suggestions_rank_the_compound_first_then_the_community_then_text(town):
    ann, ben, cat, dan = town["ann"], town["ben"], town["cat"], town["dan"]
    need = post(ann, "need", "工作日下午需要接孩子放学", body="紫金小学，二年级")
    near_other_text = post(ben, "offer", "周末可以照看小朋友")
    near_same_text = post(cat, "offer", "我下午有空，可以帮忙接孩子放学")
    community = post(dan, "offer", "接孩子放学，紫金小学附近", visibility="community")
    post(dan, "offer", "只在本小区帮忙接孩子")  # compound only: not visible to ann
    post(ben, "need", "也需要接孩子")  # same direction
    post(ben, "offer", "闲置儿童自行车", kind="idle_goods")  # another kind
    post(town["eve"], "offer", "接孩子放学", visibility="street")  # another street
    ids = [s.pk for s in selectors.suggestions(need)]
    assert ids == [near_same_text.pk, near_other_text.pk, community.pk]
    top = selectors.suggestions(need)[0]
    assert top.proximity == 0 and top.similarity >= 2


def test_suggestions_respect_the_time_window(town):
    today = timezone.localdate()
    need = post(
        town["ann"],
        "need",
        "暑假找人看孩子",
        available_from=today + dt.timedelta(days=30),
        available_until=today + dt.timedelta(days=40),
    )
    post(town["ben"], "offer", "这周可以看孩子", available_until=today + dt.timedelta(days=7))
    fits = post(
        town["cat"], "offer", "暑假期间可以看孩子", available_from=today + dt.timedelta(days=35)
    )
    assert [s.pk for s in selectors.suggestions(need)] == [fits.pk]


def match_of(town):
    need = post(town["ann"], "need", "需要有人接孩子放学")
    offer = post(town["ben"], "offer", "可以帮忙接孩子放学")
    m = services.match_propose(actor=town["ann"].user, resident=town["ann"], mine=need, other=offer)
    return need, offer, m


def test_the_match_flow_reveals_contacts_only_after_both_confirm(town):
    ann, ben = town["ann"], town["ben"]
    need, offer, m = match_of(town)
    assert m.status == "proposed" and m.need_confirmed_at and not m.offer_confirmed_at
    with refused(contains="确认"):
        services.match_reveal_contact(actor=ann.user, resident=ann, match=m)
    m = services.match_confirm(actor=ben.user, resident=ben, match=m)
    assert m.status == "confirmed"
    need.refresh_from_db()
    offer.refresh_from_db()
    assert need.status == offer.status == ListingStatus.MATCHED
    assert services.match_reveal_contact(actor=ann.user, resident=ann, match=m) == (
        "周斌",
        "13900002222",
    )
    assert services.match_reveal_contact(actor=ben.user, resident=ben, match=m) == (
        "林安",
        "13900001111",
    )
    assert AuditLog.objects.filter(action="sharing.reveal_contact").count() == 2
    m = services.match_complete(actor=ben.user, resident=ben, match=m)
    m = services.match_feedback(
        actor=ann.user, resident=ann, match=m, rating=5, feedback="很准时，谢谢"
    )
    assert m.status == "closed"
    need.refresh_from_db()
    assert need.status == ListingStatus.CLOSED
    with refused(contains="已评价"):
        services.match_feedback(actor=ann.user, resident=ann, match=m, rating=4)
    m = services.match_feedback(actor=ben.user, resident=ben, match=m, rating=5)
    assert m.offer_rating == 5


def test_a_third_person_cannot_confirm_or_see_contacts(town):
    cat = town["cat"]
    _need, _offer, m = match_of(town)
    with refused(contains="只有对接双方本人"):
        services.match_confirm(actor=cat.user, resident=cat, match=m)
    with refused(contains="只有对接双方本人"):
        services.match_reveal_contact(actor=cat.user, resident=cat, match=m)
    with pytest.raises(Exception) as exc:
        selectors.get_match_for_resident(cat, m.pk)
    assert exc.type.__name__ == "Http404"


def test_match_bad_steps_are_refused(town):
    ann, ben = town["ann"], town["ben"]
    need, offer, m = match_of(town)
    with refused(contains="已经向对方发起过对接"):
        services.match_propose(actor=ann.user, resident=ann, mine=need, other=offer)
    with refused(contains="您已确认过"):
        services.match_confirm(actor=ann.user, resident=ann, match=m)
    with refused(contains="确认后"):
        services.match_complete(actor=ann.user, resident=ann, match=m)
    with refused(contains="完成后才能评价"):
        services.match_feedback(actor=ann.user, resident=ann, match=m, rating=5)
    services.match_confirm(actor=ben.user, resident=ben, match=m)
    services.match_complete(actor=ann.user, resident=ann, match=m)
    with refused("rating", "1到5"):
        services.match_feedback(actor=ann.user, resident=ann, match=m, rating=9)
    other = post(town["cat"], "offer", "我也能接孩子")
    with refused(contains="自己"):
        services.match_propose(actor=ben.user, resident=ben, mine=offer, other=offer)
    with refused(contains="只有发布中的信息"):
        services.match_propose(actor=ann.user, resident=ann, mine=need, other=other)


def test_a_listing_out_of_reach_cannot_be_proposed_to(town):
    eve = town["eve"]
    mine = post(eve, "need", "需要人接孩子")
    far = post(town["ann"], "offer", "能接孩子")
    with refused(contains="小区范围"):
        services.match_propose(actor=eve.user, resident=eve, mine=mine, other=far)


def test_confirming_when_the_other_listing_was_taken_is_refused(town):
    ann, ben, cat = town["ann"], town["ben"], town["cat"]
    _need, offer, m1 = match_of(town)
    need2 = post(cat, "need", "也需要接孩子")
    m2 = services.match_propose(actor=cat.user, resident=cat, mine=need2, other=offer)
    services.match_confirm(actor=ben.user, resident=ben, match=m1)
    m2.refresh_from_db()
    assert m2.status == "cancelled"  # the offer is taken: other proposals to it are cancelled
    with refused(contains="已确认或已结束"):
        services.match_confirm(actor=ben.user, resident=ben, match=m2)
    assert ann  # the first match stays confirmed
    m1.refresh_from_db()
    assert m1.status == "confirmed"


def test_three_distinct_reports_hide_a_listing_and_staff_review_it(town):
    # seen in the whole community: dan (another compound of it) may report it too
    listing = post(
        town["ann"], "offer", "出售保健品，效果神奇", kind="other", visibility="community"
    )
    services.listing_report(
        actor=town["ben"].user, resident=town["ben"], listing=listing, reason="像是推销"
    )
    with refused(contains="已举报过"):
        services.listing_report(
            actor=town["ben"].user, resident=town["ben"], listing=listing, reason="再举报"
        )
    with refused("reason", "理由"):
        services.listing_report(
            actor=town["cat"].user, resident=town["cat"], listing=listing, reason=" "
        )
    with refused(contains="自己"):
        services.listing_report(
            actor=town["ann"].user, resident=town["ann"], listing=listing, reason="误发"
        )
    services.listing_report(
        actor=town["cat"].user, resident=town["cat"], listing=listing, reason="广告"
    )
    listing.refresh_from_db()
    assert listing.status == "open" and listing.report_count == 2
    services.listing_report(
        actor=town["dan"].user, resident=town["dan"], listing=listing, reason="虚假宣传"
    )
    listing.refresh_from_db()
    assert listing.status == "hidden"
    assert listing.pk not in set(
        selectors.board(selectors.place_of(town["ben"])).values_list("pk", flat=True)
    )
    alice = town["alice"]
    from tongxin.core.scope import scope_for_user

    staff = selectors.get_listing_for_staff(scope_for_user(alice), listing.pk)
    services.listing_review(scope=scope_of(alice), actor=alice, listing=staff, decision="restore")
    listing.refresh_from_db()
    assert listing.status == "open" and listing.report_count == 0
    # reports start again after a review
    services.listing_report(
        actor=town["ben"].user, resident=town["ben"], listing=listing, reason="还是推销"
    )
    listing.refresh_from_db()
    services.listing_review(scope=scope_of(alice), actor=alice, listing=listing, decision="remove")
    listing.refresh_from_db()
    assert listing.status == "removed"
    with refused(contains="没有待处理的举报"):
        services.listing_review(
            scope=scope_of(alice), actor=alice, listing=listing, decision="restore"
        )


def test_staff_reach_follows_the_area_of_their_organization(town):
    from tongxin.core.scope import scope_for_user

    a = post(town["ann"], "need", "需要人接孩子")
    b = post(town["eve"], "need", "需要人接孩子")
    alice = set(selectors.staff_board(scope_for_user(town["alice"])).values_list("pk", flat=True))
    assert alice == {a.pk}
    # charlie (branch secretary in street B) has no sharing.moderate at all
    assert not selectors.staff_board(scope_for_user(town["charlie"])).exists()
    assert selectors.sharing_stats(scope_for_user(town["charlie"])) is None
    stats = selectors.sharing_stats(scope_for_user(town["alice"]))
    assert stats is not None and stats["needs"] == 1
    assert b.pk not in alice


def test_withdraw_only_own(town):
    listing = post(town["ann"], "need", "需要人接孩子")
    with refused(contains="本人"):
        services.listing_withdraw(actor=town["ben"].user, resident=town["ben"], listing=listing)
    services.listing_withdraw(actor=town["ann"].user, resident=town["ann"], listing=listing)
    listing.refresh_from_db()
    assert listing.status == "withdrawn"


def test_a_resident_registered_in_a_building_posts_in_its_compound(town):
    listing = post(town["ann"], "need", "需要人接孩子")
    assert listing.compound == town["compound_a"]
    assert listing.community == town["comm_a"] and listing.street == town["street_a_area"]
    r = make_resident("fay", "方菲", town["compound_a2"])
    assert selectors.place_of(r).compound == town["compound_a2"]
