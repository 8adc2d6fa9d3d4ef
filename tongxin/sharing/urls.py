from __future__ import annotations

from django.urls import path

from tongxin.sharing import views

app_name = "sharing"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/propose/<int:other>/", views.propose, name="propose"),
    path("<int:pk>/report/", views.report, name="report"),
    path("matches/<int:pk>/", views.match, name="match"),
    path("board/", views.board, name="board"),
    path("board/<int:pk>/", views.review, name="review"),
]
