"""Personal data at rest (DESIGN §3.2, PIPL).

Values are stored as ``<key id>:<base64(nonce | AES-GCM ciphertext)>`` so keys can rotate;
a keyed HMAC of the normalized value (the blind index) allows exact lookup and uniqueness
without decrypting."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext

from tongxin.core.idnumber import FULLWIDTH


def _key_bytes(raw: str) -> bytes:
    try:
        decoded = base64.b64decode(raw, validate=True)
        if len(decoded) == 32:
            return decoded
    except (binascii.Error, ValueError):
        pass
    return hashlib.sha256(raw.encode()).digest()


@lru_cache(maxsize=4)
def _keys(raw: str) -> tuple[AESGCM, bytes]:
    master = _key_bytes(raw)
    enc = hmac.new(master, b"tongxin/aes-gcm", hashlib.sha256).digest()
    idx = hmac.new(master, b"tongxin/blind-index", hashlib.sha256).digest()
    return AESGCM(enc), idx


def encrypt(value: str) -> str:
    aes, _ = _keys(settings.PII_KEY)
    nonce = os.urandom(12)
    token = base64.b64encode(nonce + aes.encrypt(nonce, value.encode(), None)).decode()
    return f"{settings.PII_KEY_ID}:{token}"


class UnknownKeyError(RuntimeError):
    pass


def _key_for(key_id: str) -> str:
    if key_id == settings.PII_KEY_ID:
        return str(settings.PII_KEY)
    try:
        return str(settings.PII_OLD_KEYS[key_id])
    except KeyError:
        raise UnknownKeyError(
            gettext("个人信息密钥“%(key_id)s”未配置：请在 TONGXIN_PII_OLD_KEYS 中提供该密钥。")
            % {"key_id": key_id}
        ) from None


def key_id_of(stored: str) -> str:
    return stored.partition(":")[0]


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    key_id, _, token = stored.partition(":")
    aes, _ = _keys(_key_for(key_id))
    blob = base64.b64decode(token)
    return aes.decrypt(blob[:12], blob[12:], None).decode()


def _index_with(raw_key: str, value: str) -> str:
    _, idx = _keys(raw_key)
    return hmac.new(idx, value.encode(), hashlib.sha256).hexdigest()[:32]


def blind_index(value: str) -> str:
    """The index written for a value: under the current key."""
    return _index_with(settings.PII_KEY, value)


def blind_indexes(value: str) -> list[str]:
    """Every index a stored value may carry: the current key's, and while a rotation is under
    way (TONGXIN_PII_OLD_KEYS set) each earlier key's. Lookups and the duplicate check use
    these, so rows not yet re-keyed are still found."""
    return [blind_index(value)] + [_index_with(k, value) for k in settings.PII_OLD_KEYS.values()]


_PHONE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str) -> str:
    digits = re.sub(r"[\s\-]", "", raw.translate(FULLWIDTH))
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def is_mobile(phone: str) -> bool:
    return bool(_PHONE.match(phone))


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


# Encrypted columns outside the member roster: (app_label.Model, encrypted field, blind index
# field or "" when there is none). `rotate_pii_key` re-encrypts every one of them; a module that
# stores personal data adds its columns here.
ENCRYPTED_COLUMNS: list[tuple[str, str, str]] = [
    ("accounts.Resident", "phone_enc", "phone_index"),
    ("cases.Case", "reporter_phone_enc", ""),
    ("centers.ServiceCenter", "contact_phone_enc", ""),
]


def rekey_columns(batch: int = 2000) -> int:
    """Re-encrypt the ENCRYPTED_COLUMNS values stored under an earlier key (and recompute their
    index). Runs inside the caller's transaction. Returns the values changed."""
    from django.apps import apps
    from django.db.models import Q

    current = f"{settings.PII_KEY_ID}:"
    changed = 0
    for label, enc, index in ENCRYPTED_COLUMNS:
        model = apps.get_model(label)
        stale = model.objects.filter(~Q(**{enc: ""}) & ~Q(**{f"{enc}__startswith": current}))
        fields = [enc, index] if index else [enc]
        while rows := list(stale.order_by("pk").only("pk", *fields)[:batch]):
            for row in rows:
                value = decrypt(getattr(row, enc))
                setattr(row, enc, encrypt(value))
                if index:
                    setattr(row, index, blind_index(value))
            model.objects.bulk_update(rows, fields)
            changed += len(rows)
    return changed
