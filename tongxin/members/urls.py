from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseBase
from django.urls import path
from django.views.generic import RedirectView

from tongxin.members import views, views_dues

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
urlpatterns += [  # 党费 (views_dues); 组织关系转接 and 双报到 are apps of their own
    path("dues/", views_dues.dues_statement, name="dues_statement"),
    path("dues/arrears/", views_dues.dues_arrears, name="dues_arrears"),
    path("dues/import/", views_dues.dues_import_page, name="dues_import"),
    path("dues/import/template/", views_dues.dues_import_template, name="dues_import_template"),
    path("dues/mine/", views_dues.my_dues, name="my_dues"),
    path("dues/payments/<int:pk>/reverse/", views_dues.dues_reverse, name="dues_reverse"),
    path("<int:pk>/dues/", views_dues.dues_member, name="dues_member"),
]


class _DualReportsMoved(RedirectView):
    """双报到 moved to /dual-reports/ (tongxin.dual_reports): the old addresses answer with a
    permanent redirect, the query string kept; 308 for a form posted to an old address, so the
    browser posts it again to the new one."""

    permanent = True
    query_string = True

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") and response.status_code == 301:
            response.status_code = 308
        return response


def _moved(name: str) -> Callable[..., HttpResponseBase]:
    # Signed out, the old address sends to the login page like the page it names.
    return login_required(_DualReportsMoved.as_view(pattern_name=f"dual_reports:{name}"))


urlpatterns += [  # 双报到's addresses before it became tongxin.dual_reports
    path("dual/", _moved("list")),
    path("dual/mine/", _moved("mine")),
    path("dual/<int:pk>/", _moved("detail")),
    path("dual/<int:pk>/<str:action>/", _moved("act")),
    path("<int:member_pk>/dual/", _moved("create")),
]
