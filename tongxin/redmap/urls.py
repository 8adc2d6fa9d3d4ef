from __future__ import annotations

from django.urls import path

from tongxin.redmap import views, views_staff

app_name = "redmap"
urlpatterns = [
    path("", views.index, name="index"),
    path("map.json", views.map_json, name="map_json"),
    path("mine/", views.mine, name="mine"),
    path("sites/new/", views_staff.site_create, name="site_create"),
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("sites/<int:pk>/check-in/", views.checkin, name="checkin"),
    path("sites/<int:pk>/edit/", views_staff.site_edit, name="site_edit"),
    path("sites/<int:pk>/files/", views_staff.site_file, name="site_file"),
    path("sites/<int:pk>/door/", views_staff.site_door, name="door"),
    path("sites/<int:pk>/door/reset/", views_staff.site_door_reset, name="door_reset"),
    path("sites/<int:pk>/lessons/new/", views_staff.lesson_create, name="lesson_create"),
    path("sites/<int:pk>/book/", views_staff.book, name="book"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson"),
    path("files/<int:pk>/", views.file_view, name="file"),
    path("routes/", views.routes, name="routes"),
    path("routes/new/", views_staff.route_create, name="route_create"),
    path("routes/<int:pk>/", views.route_detail, name="route"),
    path("visits/", views_staff.visits, name="visits"),
    path("visits/<int:pk>/", views_staff.visit_detail, name="visit"),
    path("visits/<int:pk>/cancel/", views_staff.visit_cancel, name="visit_cancel"),
]
