from django.urls import path

from tongxin.members import views, views_dual, views_dues, views_transfers

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
urlpatterns += [  # 组织关系转接, 双报到, 党费 (views_transfers, views_dual, views_dues)
    path("transfers/", views_transfers.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", views_transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/letter/", views_transfers.transfer_letter, name="transfer_letter"),
    path("transfers/<int:pk>/<str:action>/", views_transfers.transfer_act, name="transfer_act"),
    path("transfers/verify/<str:token>/", views_transfers.transfer_verify, name="transfer_verify"),
    path("<int:pk>/transfer/", views_transfers.transfer_create, name="transfer_create"),
    path("dual/", views_dual.dual_list, name="dual_list"),
    path("dual/<int:pk>/", views_dual.dual_detail, name="dual_detail"),
    path("dual/<int:pk>/<str:action>/", views_dual.dual_act, name="dual_act"),
    path("<int:pk>/dual/", views_dual.dual_create, name="dual_create"),
    path("dues/", views_dues.dues_statement, name="dues_statement"),
    path("dues/arrears/", views_dues.dues_arrears, name="dues_arrears"),
    path("<int:pk>/dues/", views_dues.dues_member, name="dues_member"),
]
