from django.urls import path

from tongxin.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("<int:pk>/", views.cockpit, name="node"),
    path("screen/", views.screen, name="screen"),
    path("<int:pk>/screen/", views.screen, name="node_screen"),
    path("export.xlsx", views.export_table, name="export"),
    path("<int:pk>/export.xlsx", views.export_table, name="node_export"),
    path("report/", views.monthly_report, name="report"),
    path("<int:pk>/report/", views.monthly_report, name="node_report"),
]
