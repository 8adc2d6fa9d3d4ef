from django.urls import path

from tongxin.aid import views, views_phone

app_name = "aid"
urlpatterns = [
    path("", views.fund_list, name="funds"),
    path("funds/<int:pk>/", views.fund_detail, name="fund"),
    path("funds/<int:pk>/import/", views.donation_import, name="import"),
    path("funds/<int:pk>/report/", views.year_report, name="report"),
    path("funds/<int:pk>/report.xlsx", views.year_report_file, name="report_xlsx"),
    path("movements/<int:pk>/reverse/", views.movement_reverse, name="reverse"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="answer"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("donations/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("mine/", views_phone.mine, name="mine"),
    path("mine/<int:pk>/", views_phone.mine_detail, name="mine_detail"),
    path("apply/<int:fund_pk>/", views_phone.apply, name="apply"),
    path("public/<int:fund_pk>/", views_phone.publicity, name="publicity"),
    path("verify/<str:code>/", views_phone.verify, name="verify"),
]
