"""The REST API at /api/v1/ (django-ninja, OpenAPI at /api/v1/docs).

Errors are JSON ``{code, message, fields}`` with Chinese messages."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from tongxin.accounts.services import api_token_user
from tongxin.core.errors import ServiceError
from tongxin.core.scope import scope_for_user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is not None:
            request.user = user
            request.scope = scope_for_user(user)  # type: ignore[attr-defined]
        return user


api = NinjaAPI(
    title="同心 API",
    version="1",
    description="党组织、党员等数据接口。所有数据均按调用者的数据范围过滤。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


def error(request: HttpRequest, status: int, code: str, message: str,
          fields: dict[str, str] | None = None) -> HttpResponse:  # fmt: skip
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


FIELD_MESSAGES = {
    "missing": "缺少此字段。",
    "date_from_datetime_parsing": "日期格式应为YYYY-MM-DD。",
    "date_parsing": "日期格式应为YYYY-MM-DD。",
    "date_from_datetime_inexact": "日期格式应为YYYY-MM-DD。",
    "int_parsing": "应为整数。",
    "bool_parsing": "应为true或false。",
    "string_type": "应为文本。",
    "string_too_long": "内容过长。",
    "enum": "取值不在允许范围内。",
    "literal_error": "取值不在允许范围内。",
    "json_invalid": "请求体不是有效的JSON。",
    "extra_forbidden": "不支持此字段。",
}


@api.exception_handler(ValidationError)
def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        name = ".".join(loc) or "body"
        fields[name] = FIELD_MESSAGES.get(err.get("type", ""), "取值无效，请检查。")
    return error(request, 422, "invalid", "请求数据有误，请按字段提示修改。", fields)


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(Http404)
def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "对象不存在或不在您的管辖范围内。")


@api.exception_handler(AuthenticationError)
def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "unauthorized", "请先登录，或在请求头中提供有效的 API 令牌。")


HTTP_ERRORS = {
    403: ("forbidden", "请求未通过安全校验，请刷新页面后重试。"),
    429: ("throttled", "请求过于频繁，请稍后再试。"),
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals (unparsable body, CSRF, throttling), in our shape and language."""
    if isinstance(exc.__cause__, ValueError):  # the body is not JSON (JSONDecodeError)
        fields = {"body": FIELD_MESSAGES["json_invalid"]}
        return error(request, 422, "invalid", "请求数据有误，请按字段提示修改。", fields)
    code, message = HTTP_ERRORS.get(exc.status_code, ("error", "请求无法处理，请检查后重试。"))
    return error(request, exc.status_code, code, message)


from tongxin.members.api import router as members_router  # noqa: E402
from tongxin.orgs.api import router as orgs_router  # noqa: E402

api.add_router("/orgs", orgs_router)
api.add_router("/members", members_router)

__all__ = ["api"]
