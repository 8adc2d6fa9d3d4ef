from django.contrib.auth import views as auth_views
from django.urls import path

from tongxin.accounts import resident_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("register/", resident_views.register, name="resident_register"),
    path("keepalive/", views.keepalive, name="keepalive"),
]
