"""The REST API at /api/v1/ (django-ninja, OpenAPI at /api/v1/docs).

Errors are JSON ``{code, message, fields}`` with messages in the request's language (Chinese
unless the user chose another); the OpenAPI titles and summaries stay in Chinese."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext, gettext_lazy
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


def error(request: HttpRequest, status: int, code: str, message: object,
          fields: dict[str, Any] | None = None) -> HttpResponse:  # fmt: skip
    """Messages may be lazy translations: they are rendered here, as plain str."""
    body = {
        "code": code,
        "message": str(message),
        "fields": {name: str(msg) for name, msg in (fields or {}).items()},
    }
    return api.create_response(request, body, status=status)


FIELD_MESSAGES = {
    "missing": gettext_lazy("缺少此字段。"),
    "date_from_datetime_parsing": gettext_lazy("日期格式应为YYYY-MM-DD。"),
    "date_parsing": gettext_lazy("日期格式应为YYYY-MM-DD。"),
    "date_from_datetime_inexact": gettext_lazy("日期格式应为YYYY-MM-DD。"),
    "int_parsing": gettext_lazy("应为整数。"),
    "bool_parsing": gettext_lazy("应为true或false。"),
    "string_type": gettext_lazy("应为文本。"),
    "string_too_long": gettext_lazy("内容过长。"),
    "enum": gettext_lazy("取值不在允许范围内。"),
    "literal_error": gettext_lazy("取值不在允许范围内。"),
    "json_invalid": gettext_lazy("请求体不是有效的JSON。"),
    "extra_forbidden": gettext_lazy("不支持此字段。"),
}


@api.exception_handler(ValidationError)
def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        name = ".".join(loc) or "body"
        known = FIELD_MESSAGES.get(err.get("type", ""))
        fields[name] = str(known) if known is not None else gettext("取值无效，请检查。")
    return error(request, 422, "invalid", gettext("请求数据有误，请按字段提示修改。"), fields)


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(Http404)
def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", gettext("对象不存在或不在您的管辖范围内。"))


@api.exception_handler(MultiPartParserError)
def on_unparsable_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    """A multipart body without a boundary (or cut short) is the client's fault, debug or not."""
    return error(
        request,
        400,
        "bad_request",
        gettext("上传的内容无法解析（multipart 格式有误），请重新选择文件后提交。"),
    )


@api.exception_handler(AuthenticationError)
def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(
        request, 401, "unauthorized", gettext("请先登录，或在请求头中提供有效的 API 令牌。")
    )


HTTP_ERRORS = {
    403: ("forbidden", gettext_lazy("请求未通过安全校验，请刷新页面后重试。")),
    429: ("throttled", gettext_lazy("请求过于频繁，请稍后再试。")),
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals (unparsable body, CSRF, throttling), in our shape and language."""
    if isinstance(exc.__cause__, ValueError):  # the body is not JSON (JSONDecodeError)
        fields = {"body": str(FIELD_MESSAGES["json_invalid"])}
        return error(request, 422, "invalid", gettext("请求数据有误，请按字段提示修改。"), fields)
    code, message = HTTP_ERRORS.get(
        exc.status_code, ("error", gettext_lazy("请求无法处理，请检查后重试。"))
    )
    return error(request, exc.status_code, code, str(message))


from tongxin.members.api import router as members_router  # noqa: E402
from tongxin.orgs.api import router as orgs_router  # noqa: E402

api.add_router("/orgs", orgs_router)
api.add_router("/members", members_router)
api.add_router("/rosters", "tongxin.rosters.api.router")
api.add_router("/grids", "tongxin.grids.api.router")
api.add_router("/meetings", "tongxin.meetings.api.router")
api.add_router("/cases", "tongxin.cases.api.router")
api.add_router("/visits", "tongxin.visits.api.router")
api.add_router("/centers", "tongxin.centers.api.router")
api.add_router("/volunteering", "tongxin.volunteering.api.router")
api.add_router("/sharing", "tongxin.sharing.api.router")
api.add_router("/projects", "tongxin.projects.api.router")

__all__ = ["api"]
