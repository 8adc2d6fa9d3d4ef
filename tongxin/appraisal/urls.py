from __future__ import annotations

from django.urls import path

from tongxin.appraisal import review_views, views

app_name = "appraisal"
urlpatterns = [
    path("", views.index, name="index"),
    path("sets/new/", views.set_create, name="set_create"),
    path("sets/<int:pk>/", views.set_detail, name="set"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/evidence/<int:score_pk>/", views.evidence, name="evidence"),
    path("reviews/new/", review_views.review_create, name="review_create"),
    path("reviews/<int:pk>/", review_views.review_detail, name="review"),
    path("reporters/<int:pk>/", review_views.reporter_detail, name="reporter"),
    path("reporters/<int:pk>/attachment/", review_views.attachment, name="attachment"),
    path("v/<str:token>/", review_views.vote, name="vote"),
    path("v/<str:token>/<int:reporter_pk>/", review_views.ballot, name="ballot"),
]
