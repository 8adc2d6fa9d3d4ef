"""The addresses transfers had under /members/ before they became their own app: bookmarks,
links in old e-mails and, above all, the verification QR code printed on introduction letters
(``/members/transfers/verify/<token>/``) keep working. Each answers a permanent redirect to
the same page under /transfers/, its query string kept: 301 for a page that is read, 308 for a
form posted (so that the method and the fields go along). Included in config/urls.py before
the members app; the old API paths under /api/v1/members/transfers are redirected the same way
(``api_redirect``)."""

from __future__ import annotations

from django.urls import path

from tongxin.core.moved import moved_page, moved_prefix

# /api/v1/members/transfers<rest> → /api/v1/transfers<rest> (config/urls.py).
api_redirect = moved_prefix("/api/v1/transfers")

# Mounted at /members/ (config/urls.py).
urlpatterns = [
    path("transfers/", moved_page("transfers:list")),
    path("transfers/mine/", moved_page("transfers:mine")),
    path("transfers/mine/<int:pk>/withdraw/", moved_page("transfers:mine_withdraw")),
    path("transfers/verify/<str:token>/", moved_page("transfers:verify")),
    path("transfers/<int:pk>/", moved_page("transfers:detail")),
    path("transfers/<int:pk>/letter/", moved_page("transfers:letter")),
    path("transfers/<int:pk>/<str:action>/", moved_page("transfers:act")),
    path("<int:member_pk>/transfer/", moved_page("transfers:create")),
]
