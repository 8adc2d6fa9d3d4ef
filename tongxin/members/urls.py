from django.urls import path

from tongxin.members import views, views_dual, views_dues

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
urlpatterns += [  # 双报到, 党费 (views_dual, views_dues); 组织关系转接 is tongxin.transfers
    path("dual/", views_dual.dual_list, name="dual_list"),
    path("dual/mine/", views_dual.dual_mine, name="dual_mine"),
    path("dual/<int:pk>/", views_dual.dual_detail, name="dual_detail"),
    path("dual/<int:pk>/<str:action>/", views_dual.dual_act, name="dual_act"),
    path("<int:pk>/dual/", views_dual.dual_create, name="dual_create"),
    path("dues/", views_dues.dues_statement, name="dues_statement"),
    path("dues/arrears/", views_dues.dues_arrears, name="dues_arrears"),
    path("dues/import/", views_dues.dues_import_page, name="dues_import"),
    path("dues/import/template/", views_dues.dues_import_template, name="dues_import_template"),
    path("dues/mine/", views_dues.my_dues, name="my_dues"),
    path("dues/payments/<int:pk>/reverse/", views_dues.dues_reverse, name="dues_reverse"),
    path("<int:pk>/dues/", views_dues.dues_member, name="dues_member"),
]
