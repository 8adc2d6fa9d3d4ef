from django.urls import path

from tongxin.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("badge/", views.badge, name="badge"),
    path("<int:pk>/open/", views.message_open, name="open"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.settings_page, name="settings"),
]
