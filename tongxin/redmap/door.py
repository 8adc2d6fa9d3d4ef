"""The door code of a red site: six characters that change every day, from an HMAC of the site,
its door secret and the local date (keyed like the member card, tongxin.meetings.card). The
door screen shows it with a QR of the check-in address carrying the full form
``<site id>-<yyyymmdd>-<code>``, so a scanned code also says which site and which day it is for;
a typed code is the six characters alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.errors import ServiceError
from tongxin.meetings.card import CODE_ALPHABET, CODE_LENGTH, normalize_code
from tongxin.redmap.models import RedSite

SALT = "tongxin.redmap.door"


def new_secret() -> str:
    return secrets.token_hex(16)


def code_for(site: RedSite, on: dt.date) -> str:
    key = hashlib.sha256((settings.SECRET_KEY + SALT).encode()).digest()
    msg = f"{site.pk}:{site.door_secret}:{on:%Y%m%d}".encode()
    n = int.from_bytes(hmac.new(key, msg, hashlib.sha256).digest()[:8], "big")
    chars = []
    for _i in range(CODE_LENGTH):
        n, r = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[r])
    return "".join(chars)


def full_code(site: RedSite, on: dt.date) -> str:
    """What the door QR carries: the site, the day and the code."""
    return f"{site.pk}-{on:%Y%m%d}-{code_for(site, on)}"


def verify(site: RedSite, text: str, today: dt.date | None = None) -> None:
    """Accepts today's code of this site; refuses, each with its reason, no code, a code of
    another site, an expired (earlier day's) code and a forged one."""
    today = today or timezone.localdate()
    raw = (text or "").strip()
    if not raw:
        msg = _("请输入门口屏幕或二维码上的打卡码，或扫描门口的二维码。")
        raise ServiceError(msg, fields={"code": msg}, code="no_code")
    parts = raw.split("-")
    if len(parts) == 3:
        site_part, day_part, code = parts
        if not site_part.isdigit() or not day_part.isdigit() or len(day_part) != 8:
            raise _forged()
        if int(site_part) != site.pk:
            msg = _("这是另一处红色基地的打卡码，请扫描本基地（%(name)s）门口的二维码。") % {
                "name": site.name
            }
            raise ServiceError(msg, fields={"code": msg}, code="other_site")
        try:
            day = dt.date(int(day_part[:4]), int(day_part[4:6]), int(day_part[6:]))
        except ValueError:
            raise _forged() from None
        if not hmac.compare_digest(code_for(site, day), normalize_code(code)):
            raise _forged()
        if day != today:
            raise _expired(day)
        return
    code = normalize_code(raw)
    if len(code) != CODE_LENGTH:
        raise _forged()
    if hmac.compare_digest(code_for(site, today), code):
        return
    for back in range(1, 8):
        day = today - dt.timedelta(days=back)
        if hmac.compare_digest(code_for(site, day), code):
            raise _expired(day)
    raise _forged()


def _forged() -> ServiceError:
    msg = _("打卡码不正确，请核对门口屏幕或二维码上的6位打卡码后重新输入。")
    return ServiceError(msg, fields={"code": msg}, code="forged")


def _expired(day: dt.date) -> ServiceError:
    msg = _("这是%(day)s的打卡码，已过期；打卡码每天更换，请扫描门口今天的二维码。") % {
        "day": f"{day:%Y-%m-%d}"
    }
    return ServiceError(msg, fields={"code": msg}, code="expired")


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine; the sites are a few km apart at most)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
