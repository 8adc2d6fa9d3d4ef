from django.urls import path

from tongxin.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/photos/", views.add_photos, name="add_photos"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("report/", views.report, name="report"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.mine_detail, name="mine_detail"),
    path("mine/<int:pk>/rate/", views.rate, name="rate"),
    path("mine/<int:pk>/photos/<int:photo_pk>/", views.mine_photo, name="mine_photo"),
    path("track/", views.track, name="track"),
    path("keys/", views.keys, name="keys"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
]
