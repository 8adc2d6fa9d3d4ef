from __future__ import annotations

from django.urls import path

from tongxin.visits import views

app_name = "visits"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/problems/", views.problem_add, name="problem_add"),
    path("problems/<int:pk>/case/", views.problem_case, name="problem_case"),
    path("problems/<int:pk>/resolve/", views.problem_resolve, name="problem_resolve"),
    path("quotas/", views.quotas, name="quotas"),
    path("quotas/assign/", views.assignment_create, name="assignment_create"),
    path("quotas/<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("quotas/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("briefing/", views.briefing, name="briefing"),
    path("posts/", views.posts, name="posts"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/", views.post_detail, name="post_detail"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
]
