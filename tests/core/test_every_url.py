"""A safety net over every URL the project serves: signed out, a page either sends the visitor
to the login page or refuses, unless it is on the short list of public pages below (each with a
reason). A new page that forgets its login check fails here."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# name -> why it is public
PUBLIC = {
    "accounts:login": "the login page",
    "accounts:logout": "signing out",
    "accounts:resident_register": "residents sign themselves up",
    "set_language": "the language switch",
    "core:healthz": "the health check for load balancers",
}
# Public prefixes: their own authentication (api keys, private tokens, signed links).
PUBLIC_PREFIXES = ("admin/", "api/", "open311/", "i18n/", "static/")
PUBLIC_MARKERS = ("verify", "ics", "feed", "track", "public")


def walk(resolver: URLResolver, prefix: str = "", ns: str = "") -> list[tuple[str, str]]:
    out = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}{p.namespace}:" if p.namespace else ns
            out += walk(p, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            out.append((prefix + str(p.pattern), f"{ns}{p.name}" if p.name else ""))
    return out


def concrete(route: str) -> str | None:
    """A URL for a route with 1 for every int and "x" for every str parameter."""
    if route.startswith("^") or "(?P" in route:
        return None  # regex routes (the admin, static) are not ours
    url = re.sub(r"<int:\w+>", "1", route)
    url = re.sub(r"<(?:str|slug|uuid|path):\w+>|<\w+>", "x", url)
    return "/" + url


ROUTES = sorted(
    (url, name)
    for route, name in walk(get_resolver())
    if not route.startswith(PUBLIC_PREFIXES)
    and name not in PUBLIC
    and not any(marker in route or marker in name for marker in PUBLIC_MARKERS)
    and (url := concrete(route)) is not None
)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "name"), ROUTES, ids=[u for u, _ in ROUTES])
def test_signed_out_visitors_are_sent_to_login_or_refused(client, url: str, name: str) -> None:
    for method in ("get", "post"):
        r = getattr(client, method)(url)
        if r.status_code == 301:  # a moved page's old address: its new address must be guarded
            r = getattr(client, method)(r["Location"])
        if r.status_code == 302:
            assert r["Location"].startswith("/accounts/login/"), (method, url, r["Location"])
        else:
            assert r.status_code in (401, 403, 404, 405), (method, url, r.status_code)
