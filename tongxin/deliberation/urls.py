from __future__ import annotations

from django.urls import path

from tongxin.deliberation import staff_views, views

app_name = "deliberation"
urlpatterns = [
    path("", staff_views.forum_list, name="forums"),
    path("forums/new/", staff_views.forum_create, name="forum_create"),
    path("forums/<int:pk>/", staff_views.forum_detail, name="forum"),
    path("topics/<int:pk>/", staff_views.topic_detail, name="topic"),
    path("sessions/<int:pk>/", staff_views.session_detail, name="session"),
    path("mine/", views.mine, name="mine"),
    path("mine/raise/", views.raise_topic, name="raise"),
    path("mine/topics/<int:pk>/", views.resident_topic, name="resident_topic"),
    path("p/forums/<int:pk>/", views.public_forum, name="public_forum"),
    path("p/topics/<int:pk>/", views.public_topic, name="public_topic"),
    path("p/topics/<int:pk>/notice/", views.notice, name="notice"),
]
