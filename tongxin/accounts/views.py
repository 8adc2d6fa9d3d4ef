from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入。连续输错5次，账号将被暂时锁定。",
        "inactive": "该账号已停用，请联系管理员。",
    }


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def lockout(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def, type-arg]
    form = LoginForm(request)
    messages.error(request, "登录失败次数过多，账号已被暂时锁定，请15分钟后再试或联系管理员解锁。")
    return render(request, "accounts/login.html", {"form": form, "locked": True}, status=429)
