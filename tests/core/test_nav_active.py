"""转接, 双报到 and 党费 are apps of their own, but their pages stand under 党员 in the navigation."""

from __future__ import annotations

import re

import pytest

# The top navigation's current item (tabs inside a page link to "?tab=…", not to a path).
CURRENT = re.compile(r'<a class="nav-link active" href="(/[^"]*)" aria-current="page">')


@pytest.mark.parametrize("url", ["/transfers/", "/dual-reports/", "/dues/", "/members/"])
def test_the_member_pages_mark_the_members_item(world, client_for, url):
    page = client_for(world["alice"]).get(url).content.decode()
    assert CURRENT.findall(page) == ["/members/"]


def test_the_dashboard_marks_its_own_item(world, client_for):
    page = client_for(world["alice"]).get("/").content.decode()
    assert CURRENT.findall(page) == ["/"]
