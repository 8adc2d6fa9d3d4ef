"""The member card (党员卡, seed 004's IC card): a signed, short-lived QR token and a typed short
code for check-in, usable by any module (meetings, volunteering ...).

- ``issue_token(member_id, context="")``: a signed token (django.core.signing, SECRET_KEY) that
  names the member, a random nonce and, optionally, the one context it is good for; valid for
  ``TOKEN_SECONDS``.
- ``short_code(member_id)``: 6 characters from an HMAC of the member and the current 30-second
  slot, for when the scanner has no camera; valid in its slot and the next (≤ 60 s).
- ``verify_token(token, context=...)`` / ``verify(text, context=..., candidates=...)``: the
  member id, or a ServiceError in Chinese for an expired, forged, replayed or other-context
  token. A use is recorded per context (TokenUse), so one token or code checks in once per
  meeting; call inside the caller's transaction so that a later refusal undoes the record.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongxin.core.errors import ServiceError
from tongxin.meetings.models import TokenUse

SALT = "tongxin.meetings.card"
PREFIX = "TX1:"
TOKEN_SECONDS = 60
SLOT_SECONDS = 30
REFRESH_SECONDS = 30
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
CODE_LENGTH = 6


def issue_token(member_id: int, context: str = "") -> str:
    payload = {"m": member_id, "n": secrets.token_urlsafe(9)}
    if context:
        payload["c"] = context
    return PREFIX + signing.dumps(payload, salt=SALT, compress=False)


def _slot(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // SLOT_SECONDS)


def _code_for(member_id: int, slot: int) -> str:
    key = hashlib.sha256((settings.SECRET_KEY + SALT).encode()).digest()
    digest = hmac.new(key, f"{member_id}:{slot}".encode(), hashlib.sha256).digest()
    n = int.from_bytes(digest[:8], "big")
    chars = []
    for _i in range(CODE_LENGTH):
        n, r = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[r])
    return "".join(chars)


def short_code(member_id: int, at: float | None = None) -> str:
    return _code_for(member_id, _slot(at))


def normalize_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def looks_like_token(text: str) -> bool:
    return text.strip().startswith(PREFIX)


def _record_use(context: str, nonce: str, member_id: int) -> None:
    try:
        with transaction.atomic():
            TokenUse.objects.create(context=context, nonce=nonce, member_id=member_id)
    except IntegrityError:
        raise ServiceError(
            _("此二维码或签到码已经使用过，请让党员刷新“我的卡”页面后重新出示。"), code="replayed"
        ) from None


def verify_token(token: str, *, context: str, max_age: int = TOKEN_SECONDS) -> int:
    """The member id of a card token, recording its one use in ``context`` (for example
    ``"meeting:12"``). Refuses expired, forged, replayed and other-context tokens."""
    text = token.strip()
    if not text.startswith(PREFIX):
        raise ServiceError(_("无法识别的二维码，请扫描党员“我的卡”页面上的二维码。"), code="forged")
    try:
        payload = signing.loads(text[len(PREFIX) :], salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ServiceError(
            _("二维码已过期（有效期60秒），请让党员刷新“我的卡”页面后重新出示。"), code="expired"
        ) from None
    except signing.BadSignature:
        raise ServiceError(
            _("二维码校验失败，不是本系统签发的党员卡，不能签到。"), code="forged"
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("m"), int):
        raise ServiceError(_("二维码校验失败，不是本系统签发的党员卡，不能签到。"), code="forged")
    bound = payload.get("c", "")
    if bound and bound != context:
        raise ServiceError(
            _("此二维码是为另一场活动生成的，请让党员在“我的卡”中选择本场会议后重新出示。"),
            code="other_context",
        )
    member_id: int = payload["m"]
    _record_use(context, f"t:{payload.get('n', '')}", member_id)
    return member_id


def verify_code(code: str, *, context: str, candidates: Iterable[int]) -> int:
    """The member among ``candidates`` whose current (or previous) short code this is."""
    norm = normalize_code(code)
    if len(norm) != CODE_LENGTH:
        raise ServiceError(
            _("签到码应为6位字母或数字，请核对党员“我的卡”页面上的签到码。"), code="forged"
        )
    now = _slot()
    for slot in (now, now - 1):
        for member_id in candidates:
            if hmac.compare_digest(_code_for(member_id, slot), norm):
                _record_use(context, f"c:{member_id}:{slot}", member_id)
                return member_id
    raise ServiceError(
        _("签到码无效或已过期，或不属于本场会议的参会人员，请让党员刷新“我的卡”后重新出示。"),
        code="expired",
    )


def verify(text: str, *, context: str, candidates: Iterable[int]) -> tuple[int, str]:
    """A scanned token or a typed code: (member id, "qr" | "code")."""
    if looks_like_token(text):
        return verify_token(text, context=context), "qr"
    return verify_code(text, context=context, candidates=candidates), "code"


def qr_svg_data_uri(text: str) -> str:
    import segno

    return str(segno.make(text, error="m").svg_data_uri(scale=6, border=2))
