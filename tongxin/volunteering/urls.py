from __future__ import annotations

from django.urls import path

from tongxin.volunteering import views

app_name = "volunteering"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/signup/", views.signup, name="signup"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("signups/<int:pk>/check-out/", views.check_out, name="check_out"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_create, name="team_create"),
    path("new/", views.activity_create, name="activity_create"),
    path("<int:pk>/manage/", views.manage, name="manage"),
    path("roster/<int:pk>/check-out/", views.staff_check_out, name="staff_check_out"),
    path("roster/<int:pk>/hours/", views.staff_hours, name="staff_hours"),
    path("hours/", views.hours, name="hours"),
    path("hours/<int:pk>/correct/", views.hours_correct, name="hours_correct"),
    path("ranking/", views.ranking, name="ranking"),
    path("branch/", views.branch, name="branch"),
]
