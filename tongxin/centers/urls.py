from __future__ import annotations

from django.urls import path

from tongxin.centers import views

app_name = "centers"
urlpatterns = [
    path("", views.hub, name="hub"),
    path("list/", views.center_list, name="list"),
    path("map/", views.center_map, name="map"),
    path("map/points.json", views.map_points, name="map_points"),
    path("new/", views.center_create, name="create"),
    path("<int:pk>/", views.center_detail, name="detail"),
    path("<int:pk>/edit/", views.center_edit, name="edit"),
    path("<int:pk>/phone/", views.reveal_phone, name="reveal_phone"),
    path("<int:pk>/rooms/", views.room_add, name="room_add"),
    path("<int:pk>/items/", views.item_add, name="item_add"),
    path("<int:pk>/events/", views.event_add, name="event_add"),
    path("<int:pk>/book/", views.book, name="book"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("social/", views.social_list, name="social_list"),
    path("social/new/", views.social_create, name="social_create"),
    path("social/<int:pk>/", views.social_detail, name="social_detail"),
    path("social/<int:pk>/edit/", views.social_edit, name="social_edit"),
]
