"""The addresses transfers had under /members/ before they became their own app: bookmarks,
links in old e-mails and, above all, the verification QR code printed on introduction letters
(``/members/transfers/verify/<token>/``) keep working. Each answers a permanent redirect to
the same page under /transfers/, its query string kept: 301 for a page that is read, 308 for a
form posted (so that the method and the fields go along). Included in config/urls.py before
the members app; the old API paths under /api/v1/members/transfers are redirected the same way
(``api_redirect``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import path, reverse

SAFE = ("GET", "HEAD", "OPTIONS")


class HttpResponsePermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308


def _moved(request: HttpRequest, to: str) -> HttpResponse:
    query = request.GET.urlencode()  # percent-encoded again, whatever the client sent
    if query:
        to = f"{to}?{query}"
    if request.method in SAFE:
        return HttpResponsePermanentRedirect(to)
    return HttpResponsePermanentRedirectKeepMethod(to)


def _to(name: str) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, **kwargs: object) -> HttpResponse:
        return _moved(request, reverse(f"transfers:{name}", kwargs=kwargs))

    view.__name__ = f"legacy_{name}"
    return view


def api_redirect(request: HttpRequest, rest: str) -> HttpResponse:
    """/api/v1/members/transfers<rest> → /api/v1/transfers<rest>."""
    return _moved(request, f"/api/v1/transfers{rest}")


# Mounted at /members/ (config/urls.py).
urlpatterns = [
    path("transfers/", _to("list")),
    path("transfers/mine/", _to("mine")),
    path("transfers/mine/<int:pk>/withdraw/", _to("mine_withdraw")),
    path("transfers/verify/<str:token>/", _to("verify")),
    path("transfers/<int:pk>/", _to("detail")),
    path("transfers/<int:pk>/letter/", _to("letter")),
    path("transfers/<int:pk>/<str:action>/", _to("act")),
    path("<int:member_pk>/transfer/", _to("create")),
]
