from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts import selectors, services
from tongxin.accounts.lockout import account_locked_until, address_locked_until, cool_off
from tongxin.accounts.models import User
from tongxin.core.audit import audit
from tongxin.core.errors import ServiceError
from tongxin.core.request_context import client_ip


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": gettext_lazy(
            "用户名或密码不正确，请重新输入。同一账号在同一网络地址连续输错5次，将在该地址被暂时锁定15分钟。"
        ),
        "inactive": gettext_lazy("该账号已停用，请联系管理员。"),
    }


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        return reverse("core:me")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit(
            actor=self.request.user,
            action="accounts.password_change",
            obj=cast(User, self.request.user),
        )
        messages.success(self.request, gettext("密码已修改。"))
        return response


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens: create one (its key is shown once), list, revoke."""
    user = cast(User, request.user)
    new_key = None
    error = ""
    if request.method == "POST":
        try:
            _token, new_key = services.api_token_create(
                actor=user, user=user, name=request.POST.get("name", "")
            )
        except ServiceError as e:
            error = e.message
    response = render(
        request,
        "accounts/tokens.html",
        {"tokens": selectors.api_token_list(user=user), "new_key": new_key, "error": error},
    )
    response["Cache-Control"] = "no-store"  # the new key is on this page once
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.get_api_token_for(user=cast(User, request.user), pk=pk)
    services.api_token_revoke(actor=cast(User, request.user), token=token)
    messages.success(request, gettext("令牌“%(name)s”已停用。") % {"name": token.name})
    return redirect("accounts:tokens")


def lockout(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """Tell the truth about what is locked (this account at this address, or the address) and
    until when; other accounts and other addresses are not affected by an account's lock."""
    form = LoginForm(request)
    ip = client_ip(request)
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    if getattr(request, "tongxin_lockout", "") == "address":
        until = address_locked_until(ip)
        message = gettext(
            "此网络地址在%(minutes)s分钟内登录失败已达%(limit)s次，来自该地址的所有登录已暂停，"
            "请于%(until)s后再试，或联系管理员解锁。"
        )
    else:
        until = account_locked_until(username, ip)
        message = gettext(
            "账号“%(username)s”在此网络地址连续输错密码%(failures)s次，已在此地址被暂时锁定，"
            "请于%(until)s后再试，或联系管理员解锁。其他账号不受影响。"
        )
    minutes = round(cool_off().total_seconds() / 60)
    when = timezone.localtime(until or timezone.now() + cool_off())
    messages.error(
        request,
        message
        % {
            "username": username,
            "minutes": minutes,
            "limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
            "failures": settings.AXES_FAILURE_LIMIT,
            "until": when.strftime("%H:%M"),
        },
    )
    return render(request, "accounts/login.html", {"form": form, "locked": True}, status=429)


@never_cache
@require_POST
def keepalive(request: HttpRequest) -> HttpResponse:
    """The session-timeout warning's 继续使用 (WCAG 2.2.1): the session's 30-minute idle expiry
    starts again now (other requests push it back at most once a minute:
    SessionRefreshMiddleware), this one does nothing else. 401 without a redirect once the
    session has gone, so the page can say so instead of loading a login page into a script."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    request.session.modified = True
    return HttpResponse(status=204)
