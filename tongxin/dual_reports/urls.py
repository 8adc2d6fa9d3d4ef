from django.urls import path

from tongxin.dual_reports import views

app_name = "dual_reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("mine/", views.report_mine, name="mine"),
    path("new/<int:member_pk>/", views.report_create, name="create"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.report_act, name="act"),
]
