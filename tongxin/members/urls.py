from django.urls import path

from tongxin.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
