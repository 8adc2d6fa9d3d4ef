from django.urls import path

from tongxin.core import audit_views, views

app_name = "core"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("me/", views.me, name="me"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("audit/export.xlsx", audit_views.audit_export, name="audit_export"),
    path("healthz", views.healthz, name="healthz"),
]
