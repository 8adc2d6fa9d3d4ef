from collections.abc import Callable

from django.http import HttpResponseBase
from django.urls import path
from django.views.generic import RedirectView

from tongxin.members import views, views_dual, views_transfers

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
urlpatterns += [  # 组织关系转接, 双报到 (views_transfers, views_dual)
    path("transfers/", views_transfers.transfer_list, name="transfer_list"),
    path("transfers/mine/", views_transfers.transfer_mine, name="transfer_mine"),
    path(
        "transfers/mine/<int:pk>/withdraw/",
        views_transfers.transfer_mine_withdraw,
        name="transfer_mine_withdraw",
    ),
    path("transfers/<int:pk>/", views_transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/letter/", views_transfers.transfer_letter, name="transfer_letter"),
    path("transfers/<int:pk>/<str:action>/", views_transfers.transfer_act, name="transfer_act"),
    path("transfers/verify/<str:token>/", views_transfers.transfer_verify, name="transfer_verify"),
    path("<int:pk>/transfer/", views_transfers.transfer_create, name="transfer_create"),
    path("dual/", views_dual.dual_list, name="dual_list"),
    path("dual/mine/", views_dual.dual_mine, name="dual_mine"),
    path("dual/<int:pk>/", views_dual.dual_detail, name="dual_detail"),
    path("dual/<int:pk>/<str:action>/", views_dual.dual_act, name="dual_act"),
    path("<int:pk>/dual/", views_dual.dual_create, name="dual_create"),
]


def _moved(pattern_name: str) -> Callable[..., HttpResponseBase]:
    return RedirectView.as_view(pattern_name=pattern_name, permanent=True, query_string=True)


# 党费 moved to its own app at /dues/: the old addresses (bookmarks, printed links) redirect.
urlpatterns += [
    path("dues/", _moved("dues:statement")),
    path("dues/arrears/", _moved("dues:arrears")),
    path("dues/import/", _moved("dues:import")),
    path("dues/import/template/", _moved("dues:import_template")),
    path("dues/mine/", _moved("dues:mine")),
    path("dues/payments/<int:pk>/reverse/", _moved("dues:reverse")),
    path("<int:pk>/dues/", _moved("dues:member")),
]
