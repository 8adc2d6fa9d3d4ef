from __future__ import annotations

from django.urls import path

from tongxin.meetings import views, views_member

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/record/", views.record, name="record"),
    path("<int:pk>/checkin/", views.checkin, name="checkin"),
    path("<int:pk>/roll/<int:member_id>/", views.roll_call, name="roll_call"),
    path("<int:pk>/guests/", views.guest_add, name="guest_add"),
    path("<int:pk>/attachments/", views.attach, name="attach"),
    path("<int:pk>/review/", views.review, name="review"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("series/", views.series_list, name="series"),
    path("series/new/", views.series_create, name="series_create"),
    path("compliance/", views.compliance, name="compliance"),
    path("card/", views_member.card_page, name="card"),
    path("card/qr/", views_member.card_qr, name="card_qr"),
    path("feeds/", views_member.feeds, name="feeds"),
    path("ical/<str:kind>/<str:token>.ics", views_member.ical, name="ical"),
]
