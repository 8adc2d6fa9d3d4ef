"""The client address behind trusted proxies, used for the audit log and the lockout."""

from django.test import RequestFactory

from tongxin.core.request_context import client_ip


def test_direct_connection_uses_remote_addr(settings):
    settings.PROXY_COUNT = 0
    r = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(r) == "10.0.0.9"  # a client cannot choose its address by a header


def test_one_trusted_proxy_takes_the_address_it_appended(settings):
    settings.PROXY_COUNT = 1
    r = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    assert client_ip(r) == "203.0.113.7"  # the spoofed left entry is ignored


def test_garbage_header_falls_back_to_remote_addr(settings):
    settings.PROXY_COUNT = 1
    r = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(r) == "10.0.0.9"
