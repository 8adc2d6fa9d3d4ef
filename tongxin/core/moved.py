"""Pages and API paths that moved: the old address answers a permanent redirect to the new one,
its query string kept. 301 for a read; 308 for anything else, so that a posted form or an API
call goes along with its method and body. Bookmarks, links in old messages and the QR code
printed on a transfer's introduction letter keep working after a sub-domain became an app."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse

READS = ("GET", "HEAD", "OPTIONS")


class HttpResponsePermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308


def redirect_moved(request: HttpRequest, to: str) -> HttpResponse:
    query = request.GET.urlencode()  # percent-encoded again, whatever the client sent
    if query:
        to = f"{to}?{query}"
    if request.method in READS:
        return HttpResponsePermanentRedirect(to)
    return HttpResponsePermanentRedirectKeepMethod(to)


def moved_page(pattern_name: str, **rename: str) -> Callable[..., HttpResponse]:
    """A view for an old page address: redirects to the URL named `pattern_name`, built from
    the old address's keyword arguments (`rename` maps an old argument name to the new one)."""

    def view(request: HttpRequest, **kwargs: object) -> HttpResponse:
        kwargs = {rename.get(k, k): v for k, v in kwargs.items()}
        return redirect_moved(request, reverse(pattern_name, kwargs=kwargs))

    view.__name__ = f"moved_to_{pattern_name.replace(':', '_')}"
    return view


def moved_prefix(new_prefix: str) -> Callable[..., HttpResponse]:
    """A view for an old path prefix (``path("old<path:rest>", moved_prefix("/new"))``)."""

    def view(request: HttpRequest, rest: str = "") -> HttpResponse:
        return redirect_moved(request, f"{new_prefix}{rest or '/'}")

    return view
