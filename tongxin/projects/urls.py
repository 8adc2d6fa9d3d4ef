from __future__ import annotations

from django.urls import path

from tongxin.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("suggestions/", views.suggestion_list, name="suggestions"),
    path("suggestions/new/", views.suggestion_enter, name="suggestion_create"),
    path("suggestions/<int:pk>/decline/", views.suggestion_decline, name="suggestion_decline"),
    path("figures/", views.figures, name="figures"),
    path("mine/", views.resident_home, name="resident"),
    path("mine/suggest/", views.resident_suggest, name="suggest"),
    path("mine/<int:pk>/", views.resident_detail, name="resident_detail"),
]
