from django.urls import path

from tongxin.auditing import views

app_name = "auditing"
urlpatterns = [
    path("", views.audit_log, name="audit"),
    path("export.xlsx", views.audit_export, name="audit_export"),
]
