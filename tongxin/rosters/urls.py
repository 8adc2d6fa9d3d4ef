from __future__ import annotations

from django.urls import path

from tongxin.rosters import views

app_name = "rosters"
urlpatterns = [
    path("", views.index, name="index"),
    path("template.xlsx", views.template, name="template"),
    path("export.xlsx", views.export, name="export"),
    path("orgs/", views.orgs, name="orgs"),
    path("orgs/template.xlsx", views.org_template, name="org_template"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/progress/", views.progress, name="progress"),
    path("jobs/<int:pk>/commit/", views.commit, name="commit"),
    path("jobs/<int:pk>/cancel/", views.cancel, name="cancel"),
]
