"""The REST API at /api/v1/ (django-ninja, OpenAPI at /api/v1/docs).

Errors are JSON ``{code, message, fields}`` with messages in the request's language (Chinese
unless the user chose another); the OpenAPI titles and summaries stay in Chinese."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext, gettext_lazy
from django.views.defaults import page_not_found
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from tongxin.accounts.services import api_token_user
from tongxin.core.errors import ServiceError
from tongxin.core.inputs import CONTROL_MESSAGE, RANGE_MESSAGE, bad_values
from tongxin.core.scope import scope_for_user, set_request_scope


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is not None:
            request.user = user
            set_request_scope(request, scope_for_user(user))
        return user


class ErrorOut(Schema):
    """Every refusal: a code, a full sentence saying what to fix, and per-field messages."""

    code: str
    message: str
    fields: dict[str, str]


WRITES = frozenset({"post", "put", "patch", "delete"})


def declare_errors(schema: dict[str, Any]) -> None:
    """Declare in the OpenAPI document the refusals the handlers below answer with, so that it
    is true for clients (and schemathesis): 401/403 where a login or token is needed, 400, 404
    and 422 where the request carries input, 409 (a conflict with the current state) on writes."""
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = (
        ErrorOut.model_json_schema()
    )
    descriptions = {
        400: "请求无法处理（业务规则不允许）",
        401: "未登录或令牌无效",
        403: "无权执行此操作",
        404: "对象不存在或不在数据范围内",
        409: "与当前状态冲突",
        422: "请求数据有误",
    }
    for methods in schema.get("paths", {}).values():
        for method, op in methods.items():
            codes = {400, 404, 422}
            if op.get("security"):
                codes |= {401, 403}
            if method in WRITES:
                codes.add(409)
            responses = op.setdefault("responses", {})
            # Refused by the HTTP server (gunicorn, or a proxy) before Django sees the request,
            # with its own HTML page: a request line over 4,094 bytes.
            responses.setdefault(
                "414",
                {
                    "description": "请求地址过长（由 HTTP 服务器拒绝）",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
            )
            for code in sorted(codes):
                responses.setdefault(
                    str(code),
                    {
                        "description": descriptions[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )


class CheckedParser(Parser):
    """Every JSON body and query string is checked once, for every operation: no control
    characters in text, no integer beyond 64 bits (refused with 422, field by field)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        _refuse_bad_values(data, ("body",))
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        _refuse_bad_values(result, ("query",))
        return result


def _refuse_bad_values(data: Any, loc: tuple[str, ...]) -> None:
    found = bad_values(data, loc)
    if found:
        raise ValidationError(
            [{"loc": where, "type": f"tongxin_{kind}", "msg": kind} for where, kind in found]
        )


class TongxinAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_errors(schema)
        return schema


api = TongxinAPI(
    title="同心 API",
    version="1",
    description="党组织、党员等数据接口。所有数据均按调用者的数据范围过滤。",
    auth=[TokenAuth(), django_auth],
    parser=CheckedParser(),
    urls_namespace="api",
)


def error(
    request: HttpRequest,
    status: int,
    code: str,
    message: object,
    fields: dict[str, Any] | None = None,
) -> HttpResponse:
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
    "tongxin_control": CONTROL_MESSAGE,
    "tongxin_range": RANGE_MESSAGE,
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


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """The last line behind CheckedParser: a number too large for the database anywhere else
    (a path id in a list lookup) is the client's error, not the server's."""
    return error(request, 422, "invalid", str(RANGE_MESSAGE))


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
    if isinstance(exc.__cause__, ValidationError):  # CheckedParser refused a value
        return on_validation(request, exc.__cause__)
    if isinstance(exc.__cause__, ValueError):  # the body is not JSON (JSONDecodeError)
        fields = {"body": str(FIELD_MESSAGES["json_invalid"])}
        return error(request, 422, "invalid", gettext("请求数据有误，请按字段提示修改。"), fields)
    code, message = HTTP_ERRORS.get(
        exc.status_code, ("error", gettext_lazy("请求无法处理，请检查后重试。"))
    )
    return error(request, exc.status_code, code, str(message))


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an address under /api/ that matches no operation (``/api/v1/visits/x``)
    answers like every other API refusal, in JSON; pages keep Tongxin's own 404 page."""
    if request.path.startswith("/api/"):
        return error(request, 404, "not_found", gettext("对象不存在或不在您的管辖范围内。"))
    return page_not_found(request, exception)


from tongxin.members.api import router as members_router  # noqa: E402
from tongxin.orgs.api import router as orgs_router  # noqa: E402

api.add_router("/orgs", orgs_router)
api.add_router("/members", members_router)
api.add_router("/dual-reports", "tongxin.dual_reports.api.router")
api.add_router("/transfers", "tongxin.transfers.api.router")
api.add_router("/rosters", "tongxin.rosters.api.router")
api.add_router("/dues", "tongxin.dues.api.router")
api.add_router("/grids", "tongxin.grids.api.router")
api.add_router("/meetings", "tongxin.meetings.api.router")
api.add_router("/cases", "tongxin.cases.api.router")
api.add_router("/visits", "tongxin.visits.api.router")
api.add_router("/centers", "tongxin.centers.api.router")
api.add_router("/volunteering", "tongxin.volunteering.api.router")
api.add_router("/redmap", "tongxin.redmap.api.router")
api.add_router("/sharing", "tongxin.sharing.api.router")
api.add_router("/projects", "tongxin.projects.api.router")
api.add_router("/appraisal", "tongxin.appraisal.api.router")
api.add_router("/inbox", "tongxin.inbox.api.router")
api.add_router("/alerts", "tongxin.alerts.api.router")
api.add_router("/powers", "tongxin.powers.api.router")
api.add_router("/deliberation", "tongxin.deliberation.api.router")
api.add_router("/aid", "tongxin.aid.api.router")
api.add_router("/insights", "tongxin.insights.api.router")
api.add_router("/points", "tongxin.points.api.router")

__all__ = ["api"]
