from __future__ import annotations

from django.urls import path

from tongxin.grids import views

app_name = "grids"
urlpatterns = [
    path("", views.grid_list_view, name="list"),
    path("new/", views.create, name="create"),
    path("coverage/", views.coverage_view, name="coverage"),
    path("member/<int:member_pk>/", views.member, name="member"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/instructor/", views.instructor, name="instructor"),
    path("<int:pk>/workers/new/", views.worker_add, name="worker_add"),
    path("<int:pk>/workers/<int:worker_pk>/remove/", views.worker_remove, name="worker_remove"),
    path("<int:pk>/assign/", views.assign, name="assign"),
]
