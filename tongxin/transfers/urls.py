from django.urls import path

from tongxin.transfers import views

app_name = "transfers"
urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("mine/", views.transfer_mine, name="mine"),
    path("mine/<int:pk>/withdraw/", views.transfer_mine_withdraw, name="mine_withdraw"),
    path("new/<int:member_pk>/", views.transfer_create, name="create"),
    # Public (no login): the address printed as a QR code on the introduction letter.
    path("verify/<str:token>/", views.transfer_verify, name="verify"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/letter/", views.transfer_letter, name="letter"),
    path("<int:pk>/<str:action>/", views.transfer_act, name="act"),
]
