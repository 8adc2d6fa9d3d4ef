from django.urls import path

from tongxin.core.moved import moved_page
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


urlpatterns += [  # 双报到's addresses before it became tongxin.dual_reports
    path("dual/", moved_page("dual_reports:list")),
    path("dual/mine/", moved_page("dual_reports:mine")),
    path("dual/<int:pk>/", moved_page("dual_reports:detail")),
    path("dual/<int:pk>/<str:action>/", moved_page("dual_reports:act")),
    path("<int:member_pk>/dual/", moved_page("dual_reports:create")),
]
