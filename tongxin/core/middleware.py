from __future__ import annotations

import time

from django.conf import settings
from django.utils import translation
from django.views.defaults import bad_request

from tongxin.core.request_context import client_ip, reset_ip, set_ip
from tongxin.core.scope import scope_for_user, set_request_scope


class ScopeMiddleware:
    """Attaches ``request.scope`` (computed lazily, once per request) and the client IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        set_request_scope(request, lambda: scope_for_user(request.user))
        token = set_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_ip(token)


REFRESHED_KEY = "_tx_refreshed"


class SessionRefreshMiddleware:
    """Sessions end after SESSION_COOKIE_AGE idle seconds, and each request of the session
    starts that count again. Rather than write the session on every request (Django's
    SESSION_SAVE_EVERY_REQUEST: an UPDATE and a commit per page, a ballot or a click), the
    expiry is pushed back only when the last push is TONGXIN_SESSION_REFRESH_SECONDS old or
    the request changed the session anyway. A session therefore ends between SESSION_COOKIE_AGE
    minus that interval and SESSION_COOKIE_AGE after the last request; the interval is kept
    below the two minutes by which the session-timeout warning comes first, so the warning
    always appears while the session still lives. The cookie's own expiry is renewed with each
    save, so browser and server agree.

    Placed right after SessionMiddleware, which saves what this marks. An empty session (a
    visitor, an expired or deleted session, a sign-out) is never written."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.interval = int(getattr(settings, "TONGXIN_SESSION_REFRESH_SECONDS", 60))

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.session_key or response.status_code >= 500:
            return response
        now = int(time.time())
        due = session.modified or now - int(session.get(REFRESHED_KEY, 0)) >= self.interval
        # (reading the stamp loads the session: a row that has gone leaves it empty)
        if due and not session.is_empty():
            session[REFRESHED_KEY] = now
        return response


class LanguageMiddleware:
    """Simplified Chinese unless the user chose another language with the switch (a cookie).
    Unlike Django's LocaleMiddleware the browser's Accept-Language is not followed: an
    English-language browser in a street office still gets the Chinese interface."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class SecurityHeadersMiddleware:
    """A Content-Security-Policy without inline script: only our own vendored files run."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(("/api/v1/docs", "/admin/")):
            response.setdefault("Content-Security-Policy", self.CSP)
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response


class BadInputMiddleware:
    """A number too large for the database (a 20-digit id in a form's multiple choice, which
    Django looks up with ``pk__in``) is the client's error: a 400 page, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            return bad_request(request, exception)
        return None
