from django.urls import path

from tongxin.core import views

app_name = "core"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("me/", views.me, name="me"),
    path("healthz", views.healthz, name="healthz"),
]
