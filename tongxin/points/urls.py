from django.urls import path

from tongxin.points import views, views_review

app_name = "points"

urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("mine/", views.mine, name="mine"),
    path("mine/claim/", views.claim, name="claim"),
    path("members/<int:member_id>/", views.member_ledger, name="member"),
    path("members/<int:member_id>/propose/", views.propose, name="propose"),
    path("awards/", views.awards, name="awards"),
    path("awards/<int:award_id>/decide/", views.award_decide, name="award_decide"),
    path("awards/<int:award_id>/evidence/", views.award_evidence, name="award_evidence"),
    path("entries/<int:entry_id>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("close/", views.close_month, name="close"),
    path("rules/", views.rules, name="rules"),
    path("reviews/", views_review.reviews, name="reviews"),
    path("reviews/<int:review_id>/", views_review.review, name="review"),
    path("reviews/mine/", views_review.my_review, name="my_review"),
    path("reviews/mine/submit/", views_review.my_review_submit, name="my_review_submit"),
]
