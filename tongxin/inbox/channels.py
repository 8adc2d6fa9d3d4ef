"""How a message leaves the building: email through Django's email backend (EMAIL_BACKEND),
SMS through a pluggable backend named by the setting ``TONGXIN_SMS_BACKEND``.

The default SMS backend only logs (no gateway is configured in a fresh install). A deployment
with an SMS gateway speaking HTTP sets::

    TONGXIN_SMS_BACKEND = "tongxin.inbox.channels.HttpGatewaySms"
    TONGXIN_SMS_URL = "https://sms.example.gov.cn/send"   # POST, JSON {"phone", "text"}
    TONGXIN_SMS_TOKEN = "…"                               # sent as "Authorization: Bearer …"

and any other gateway is a class with ``send(phone, text)`` raising on failure.

What leaves: the title and the link only, never the body. The title names what the recipient
may see in Tongxin already; the link leads to a page that checks their scope again.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from tongxin.core import pii

log = logging.getLogger("tongxin.inbox")


class NoAddress(Exception):
    """The user has no address for this channel: retrying will not help."""


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LoggingSms:
    """The default: writes the text to the log instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone[:3] + "****" + phone[-4:], text)


class HttpGatewaySms:
    """A gateway taking ``POST {"phone": …, "text": …}`` as JSON; any 2xx is success."""

    def send(self, phone: str, text: str) -> None:
        url = getattr(settings, "TONGXIN_SMS_URL", "")
        if not url:
            raise RuntimeError("TONGXIN_SMS_URL is not set")
        if not url.startswith(("https://", "http://")):
            raise RuntimeError("TONGXIN_SMS_URL must be an http(s) URL")
        data = json.dumps({"phone": phone, "text": text}).encode()
        request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 (scheme checked above)
        request.add_header("Content-Type", "application/json")
        token = getattr(settings, "TONGXIN_SMS_TOKEN", "")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (scheme checked above)
            if not 200 <= response.status < 300:
                raise RuntimeError(f"SMS gateway answered {response.status}")


def sms_backend() -> SmsBackend:
    path = getattr(settings, "TONGXIN_SMS_BACKEND", "tongxin.inbox.channels.LoggingSms")
    backend: SmsBackend = import_string(path)()
    return backend


def phone_of(user: Any) -> str:
    """The user's own mobile number: from their member record or resident profile (stored
    encrypted; read here only to send to the user themself)."""
    for holder in ("member", "resident"):
        try:
            record = getattr(user, holder, None)
        except Exception:  # a missing reverse one-to-one raises RelatedObjectDoesNotExist
            record = None
        stored = getattr(record, "phone_enc", "") if record is not None else ""
        if stored:
            return pii.decrypt(stored)
    raise NoAddress("no phone number")


def text_of(title: str, link: str) -> str:
    base = getattr(settings, "TONGXIN_SITE_URL", "").rstrip("/")
    return f"【同心】{title}" + (f" {base}{link}" if link else "")


def send(channel: str, user: Any, title: str, link: str) -> None:
    """Send one message through one outside channel; raises on failure."""
    text = text_of(title, link)
    if channel == "email":
        if not user.email:
            raise NoAddress("no email address")
        send_mail(title, text, None, [user.email])
    elif channel == "sms":
        sms_backend().send(phone_of(user), text)
    else:
        raise ValueError(channel)


def send_mail_text(subject: str, text: str, address: str) -> None:
    send_mail(subject, text, None, [address])
