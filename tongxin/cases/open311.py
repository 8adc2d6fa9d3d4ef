"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the cases.

Services are the active categories (service_code = Category.code). A service request is a
case (service_request_id = its tracking code). Both formats by suffix: ``.xml`` (the spec's
required format) and ``.json``. Errors are the spec's list of {code, description}.

Reading (GET requests) needs no key, as in the spec, and shows only what is public: service,
status, the public reply as ``status_notes`` (never an internal note), dates, the place's name
and its coordinates; not the reporter's location text or point, the description, the agency or
the media link. With a valid api_key the reader also sees, for the cases in the key's
jurisdiction, the description, the location text and point, the agency and the media_url.
Posting needs an api_key; the key's Area is its jurisdiction: a request placed outside it (an
address_id elsewhere, a point over 2 km from every mapped place of the jurisdiction, the
resident page's rule) is refused. Every parameter is parsed strictly: bad input is a 400 with
a message, never a server error. Each key is rate-limited per
minute (tongxin.core.ratelimit: per process with the default local-memory cache, shared by
every worker when TONGXIN_REDIS_URL names a Redis server).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tongxin.cases import open311_selectors as sel
from tongxin.cases import services
from tongxin.cases.models import OPEN311_OPEN, ApiKey, Case, hash_key
from tongxin.core import ratelimit
from tongxin.core.errors import ServiceError
from tongxin.core.inputs import parse_pk
from tongxin.core.replica import reads_from_replica

SPEC = "http://wiki.open311.org/GeoReport_v2"
DEFAULT_DAYS = 90
DEFAULT_LIMIT = 1000
MAX_PAGE_SIZE = 1000


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# ---------------------------------------------------------------- rendering


def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _xml(tag: str, value: Any) -> str:
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(_xml(k, v) for k, v in value.items()) + f"</{tag}>"
    if isinstance(value, list):
        # A list inside an element: the children carry the singular tag (values/value ...).
        child = {
            "values": "value",
            "attributes": "attribute",
            "formats": "format",
            "endpoints": "endpoint",
        }.get(tag, "item")
        return f"<{tag}>" + "".join(_xml(child, v) for v in value) + f"</{tag}>"
    return f"<{tag}>{_xml_value(value)}</{tag}>"


def render(fmt: str, data: Any, root: str = "", item: str = "", status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, default=str)
        return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    if root and item:
        inner = "".join(_xml(item, row) for row in data)
        xml = f"<{root}>{inner}</{root}>"
    else:
        xml = _xml(root, data)
    body = '<?xml version="1.0" encoding="utf-8"?>' + xml
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def error(fmt: str, status: int, description: str) -> HttpResponse:
    rows = [{"code": status, "description": description}]
    return render(fmt, rows, "errors", "error", status=status)


def _w3(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


# The link is kept in a case note of at most 500 characters, after "media_url: ".
MAX_MEDIA_URL = 480


def _web_url(value: str) -> bool:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return False
    return True


def _fmt(fmt: str) -> str:
    return "json" if fmt == "json" else "xml"


def _has_control_chars(request: HttpRequest, kwargs: dict[str, Any]) -> bool:
    values = [str(v) for v in kwargs.values()]
    for query in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
        for key, items in query.lists():
            values.append(key)
            values.extend(items)
    return any(services.CONTROL_CHARS.search(v) for v in values)


def open311_view(fn):
    """Turns Open311Error and unknown formats into the spec's error list."""

    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any) -> HttpResponse:
        if fmt not in ("xml", "json"):
            return error("xml", 404, _("不支持的格式，请使用 .xml 或 .json。"))
        if _has_control_chars(request, kwargs):
            # PostgreSQL refuses NUL in text (a server error), and no field here takes any.
            return error(fmt, 400, _("参数不能包含控制字符（如 NUL），请检查提交的内容。"))
        try:
            return fn(request, *args, fmt=fmt, **kwargs)
        except Open311Error as e:
            return error(fmt, e.status, e.description)

    wrapper.__name__ = fn.__name__
    return wrapper


# ---------------------------------------------------------------- keys


def _key(request: HttpRequest, required: bool) -> ApiKey | None:
    raw = request.POST.get("api_key") or request.GET.get("api_key") or ""
    if not raw:
        if required:
            raise Open311Error(403, _("缺少 api_key，请向管理部门申请密钥。"))
        return None
    key = sel.active_key(hash_key(raw))
    if key is None:
        raise Open311Error(403, _("api_key 无效或已吊销。"))
    used = ratelimit.hit("open311", key.pk, window=60)
    if used > key.per_minute:
        raise Open311Error(
            429, _("请求过于频繁，每分钟最多%(n)s次，请稍后再试。") % {"n": key.per_minute}
        )
    return key


# ---------------------------------------------------------------- discovery and services


@open311_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    base = base.rsplit("/", 1)[0] + "/"
    data = {
        "changeset": "2026-01-01T00:00:00+08:00",
        "contact": _("请联系所在街道办事处事件受理中心。"),
        "key_service": _("api_key 由街道或组织部在“事件 → Open311 密钥”页面签发。"),
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": "2026-01-01T00:00:00+08:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, data, "discovery")


def _service_row(c: Any) -> dict[str, Any]:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.description or c.name,
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join((c.keywords or "").split()),
        "group": c.default_agency.name if c.default_agency else "",
    }


@open311_view
@reads_from_replica()
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = [_service_row(c) for c in sel.services()]
    return render(fmt, rows, "services", "service")


ATTRIBUTES = [
    {
        "variable": True,
        "code": "priority",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "",
        "order": 1,
        "description": "紧急程度",
        "values": [{"key": "normal", "name": "一般"}, {"key": "urgent", "name": "紧急"}],
    },
    {
        "variable": True,
        "code": "title",
        "datatype": "string",
        "required": False,
        "datatype_description": "不超过100字",
        "order": 2,
        "description": "标题",
    },
]


@open311_view
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    category = sel.service(code)
    if category is None:
        raise Open311Error(404, _("没有编码为 %(code)s 的服务。") % {"code": code})
    data = {"service_code": category.code, "attributes": ATTRIBUTES}
    return render(fmt, data, "service_definition")


# ---------------------------------------------------------------- requests


def _decimal(value: str, name: str) -> Decimal:
    try:
        d = Decimal(value)
    except InvalidOperation:
        raise Open311Error(400, _("%(name)s 应为数字。") % {"name": name}) from None
    if not d.is_finite():
        raise Open311Error(400, _("%(name)s 应为数字。") % {"name": name})
    return d


def _place(request: HttpRequest, key: ApiKey) -> tuple[Any, Decimal | None, Decimal | None, str]:
    p = request.POST
    lat, lon = p.get("lat", "").strip(), p.get("long", "").strip()
    address_id = p.get("address_id", "").strip()
    address = p.get("address_string", "").strip()[:200]
    if address_id:
        pk = parse_pk(address_id)
        if pk is None:
            raise Open311Error(
                400, _("address_id 应为社区、小区或楼栋的编号（阿拉伯数字），请核对。")
            )
        area = sel.area_in(key.area, pk)
        if area is None:
            raise Open311Error(400, _("address_id 不是本辖区内的社区、小区或楼栋。"))
        return area, None, None, address
    if lat and lon:
        la, lo = _decimal(lat, "lat"), _decimal(lon, "long")
        if not (-90 <= la <= 90 and -180 <= lo <= 180):
            raise Open311Error(
                400, _("lat/long 超出范围：lat 应在-90到90之间，long 应在-180到180之间。")
            )
        q = Decimal("0.000001")
        la, lo = la.quantize(q), lo.quantize(q)
        try:
            area = services.place_for_point(
                key.area,
                la,
                lo,
                unmapped=_("本辖区还没有登记地图位置的小区，请改用 address_id 或 address_string。"),
                too_far=_(
                    "lat/long 所指位置离本辖区最近的小区约%(km)s公里，不在本密钥的辖区内，"
                    "请核对坐标，或改用 address_id。"
                ),
            )
        except ServiceError as e:
            raise Open311Error(400, e.message) from None
        return area, la, lo, address
    if address:
        area = sel.area_by_name(key.area, address)
        if area is None:
            raise Open311Error(
                400, _("无法从 address_string 识别本辖区的小区，请提供 address_id 或 lat/long。")
            )
        return area, None, None, address
    raise Open311Error(400, _("请提供位置：lat 和 long、address_string 或 address_id。"))


@open311_view
@reads_from_replica()
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    if request.method != "GET":
        raise Open311Error(400, _("只支持 GET 和 POST。"))
    return _get_requests(request, fmt)


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _key(request, required=True)
    assert key is not None
    p = request.POST
    code = p.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code。"))
    category = sel.service(code)
    if category is None:
        raise Open311Error(404, _("没有编码为 %(code)s 的服务。") % {"code": code})
    description = p.get("description", "")
    if len(description) > services.MAX_DESCRIPTION:
        raise Open311Error(400, _("description 最多4000字。"))
    media_url = p.get("media_url", "").strip()
    if len(media_url) > MAX_MEDIA_URL:
        raise Open311Error(400, _("media_url 最多%(n)s个字符。") % {"n": MAX_MEDIA_URL})
    if media_url and not _web_url(media_url):
        raise Open311Error(400, _("media_url 应为 http 或 https 地址。"))
    area, lat, lon, address = _place(request, key)
    parts = [x for x in (p.get("last_name", "").strip(), p.get("first_name", "").strip()) if x]
    # Chinese names are written surname first without a space; others keep the space.
    name = ("" if all(x.isascii() is False for x in parts) else " ").join(parts)
    priority = p.get("attribute[priority]", "") or None
    try:
        case = services.case_report(
            actor=None,
            area=area,
            category=category,
            description=description,
            source="open311",
            title=p.get("attribute[title]", ""),
            priority=priority,
            reporter_name=name,
            reporter_phone=p.get("phone", ""),
            latitude=lat,
            longitude=lon,
            address=address,
            api_key=key,
            media_url=media_url,
        )
    except ServiceError as e:
        message = next(iter(e.fields.values()), e.message) if e.fields else e.message
        raise Open311Error(400, message) from None
    row = {
        "service_request_id": case.tracking_code,
        "token": case.token,
        "service_notice": _("请在 %(date)s 前关注办理结果。")
        % {"date": timezone.localtime(case.deadline_at).strftime("%Y-%m-%d %H:%M")},
        "account_id": None,
    }
    return render(fmt, [row], "service_requests", "request", status=201)


def _request_row(c: Case, full: bool, media_url: str = "") -> dict[str, Any]:
    """One service request. ``full`` (a key of the case's jurisdiction) adds what the
    reporter wrote and where exactly (description, location text, map point, media link) and
    the agency; the public row has the place's own name and coordinates only. status_notes is
    the latest public reply (答复居民), never an internal note."""
    lat, lon = c.area.latitude, c.area.longitude
    if full and c.latitude is not None and c.longitude is not None:
        lat, lon = c.latitude, c.longitude
    address = c.area.name
    if full and c.address:
        address = f"{c.area.name} {c.address}"
    return {
        "service_request_id": c.tracking_code,
        "status": "open" if c.state in OPEN311_OPEN else "closed",
        "status_notes": c.status_note or c.get_state_display(),
        "service_name": c.category.name,
        "service_code": c.category.code,
        "description": c.description if full else "",
        "agency_responsible": c.agency.name if full and c.agency else "",
        "service_notice": "",
        "requested_datetime": _w3(c.reported_at),
        "updated_datetime": _w3(c.updated_at),
        "expected_datetime": _w3(c.deadline_at),
        "address": address,
        "address_id": c.area_id,
        "zipcode": "",
        "lat": float(lat) if lat is not None else None,
        "long": float(lon) if lon is not None else None,
        "media_url": media_url if full else "",
    }


# A W3C date-time (ISO 8601 profile) in ASCII digits: date, time, optional fraction and offset.
W3C_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)
# Dates outside these years are no query about cases (and near year 9999 the 90-day window
# and the conversion to UTC overflow).
MIN_YEAR, MAX_YEAR = 2000, 2100


def _date(value: str, name: str) -> dt.datetime:
    # A "+" in an offset arrives as a space when the client did not encode it.
    text = value.strip().replace(" ", "+")
    d = None
    if W3C_DATETIME.fullmatch(text):
        try:
            d = parse_datetime(text)
        except ValueError:  # well-formed but no such date or time (month 13, day 45 ...)
            d = None
    if d is None:
        raise Open311Error(
            400,
            _(
                "%(name)s 应为有效的 W3C 日期时间，如 2026-01-01T00:00:00+08:00，请核对年月日和时间。"
            )
            % {"name": name},
        )
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise Open311Error(
            400,
            _("%(name)s 应在%(low)s年到%(high)s年之间。")
            % {"name": name, "low": MIN_YEAR, "high": MAX_YEAR},
        )
    if timezone.is_naive(d):
        d = timezone.make_aware(d)
    return d


_DIGITS = re.compile(r"[0-9]{1,9}")


def _int(value: str, name: str, default: int, high: int) -> int:
    if not value:
        return default
    # ASCII digits only: str.isdigit() would take "²", which int() refuses.
    if not _DIGITS.fullmatch(value) or not 1 <= int(value) <= high:
        raise Open311Error(
            400, _("%(name)s 应为1到%(high)s之间的整数。") % {"name": name, "high": high}
        )
    return int(value)


def _rows(qs: Iterable[Case], key: ApiKey | None) -> list[dict[str, Any]]:
    path = key.area.path if key is not None else None
    cases = list(qs)
    full = {c.pk for c in cases if path is not None and c.area_path.startswith(path)}
    media = sel.media_urls(sorted(full))
    return [_request_row(c, c.pk in full, media.get(c.pk, "")) for c in cases]


def _get_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _key(request, required=False)
    g = request.GET
    qs = sel.requests_queryset()
    ids = [i.strip().upper() for i in g.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        # The spec: service_request_id overrides every other parameter.
        return render(
            fmt,
            _rows(qs.filter(tracking_code__in=ids[:DEFAULT_LIMIT]), key),
            "service_requests",
            "request",
        )
    codes = [c.strip() for c in g.get("service_code", "").split(",") if c.strip()]
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = {s.strip() for s in g.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status 只能是 open 或 closed。"))
    if statuses == {"open"}:
        qs = qs.filter(state__in=OPEN311_OPEN)
    elif statuses == {"closed"}:
        qs = qs.exclude(state__in=OPEN311_OPEN)
    end = _date(g["end_date"], "end_date") if g.get("end_date") else None
    start = _date(g["start_date"], "start_date") if g.get("start_date") else None
    if start and end and end - start > dt.timedelta(days=DEFAULT_DAYS):
        raise Open311Error(400, _("start_date 与 end_date 相隔不能超过90天。"))
    if start and not end:
        end = start + dt.timedelta(days=DEFAULT_DAYS)
    if end and not start:
        start = end - dt.timedelta(days=DEFAULT_DAYS)
    if not start or not end:
        end = timezone.now()
        start = end - dt.timedelta(days=DEFAULT_DAYS)
    qs = qs.filter(reported_at__gte=start, reported_at__lte=end)
    # Extension used by many servers: page (from 1) and page_size (default 1000).
    page = _int(g.get("page", ""), "page", 1, 1_000_000)
    size = _int(g.get("page_size", ""), "page_size", DEFAULT_LIMIT, MAX_PAGE_SIZE)
    rows = qs.order_by("-reported_at", "-id")[(page - 1) * size : page * size]
    return render(fmt, _rows(rows, key), "service_requests", "request")


@open311_view
@reads_from_replica()
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    key = _key(request, required=False)
    # A tracking code is short: anything longer is no request (and never reaches the database).
    case = (
        sel.requests_queryset().filter(tracking_code=request_id.upper()).first()
        if len(request_id) <= 12
        else None
    )
    if case is None:
        raise Open311Error(404, _("没有编号为 %(id)s 的服务请求。") % {"id": request_id[:20]})
    return render(fmt, _rows([case], key), "service_requests", "request")


@open311_view
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    case = sel.by_token(token)
    if case is None:
        raise Open311Error(404, _("没有这个 token。"))
    row = {"service_request_id": case.tracking_code, "token": token}
    return render(fmt, [row], "service_requests", "request")
