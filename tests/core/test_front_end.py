"""Pages served as built (issue 19): production collects fingerprinted, compressed static files
that WhiteNoise sends with a long immutable cache; HTML is gzipped; the trimmed Bootstrap keeps
every class the templates use; the shared field template ties help and errors to the field."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, override_settings

ROOT = Path(settings.BASE_DIR)
MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic as production runs it, into a directory of its own."""
    root = tmp_path_factory.mktemp("static")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages, WHITENOISE_USE_FINDERS=False):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root, storages


@pytest.fixture
def production_static(collected):
    root, storages = collected
    with override_settings(
        STATIC_ROOT=root,
        STORAGES=storages,
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        yield root


@pytest.mark.django_db
def test_pages_link_fingerprinted_static_files_served_compressed_with_an_immutable_cache(
    production_static,
):
    client = (
        Client()
    )  # a new client builds its middleware, WhiteNoise included, with these settings
    page = client.get("/accounts/login/").content.decode()
    css = re.search(r'href="(/static/tongxin/app\.[0-9a-f]{12}\.css)"', page)
    assert css, "the login page should link the fingerprinted app.css"
    r = client.get(css.group(1), HTTP_ACCEPT_ENCODING="gzip")
    assert r.status_code == 200
    assert r["Content-Encoding"] == "gzip"
    assert "immutable" in r["Cache-Control"] and "max-age=315360000" in r["Cache-Control"]
    body = b"".join(r.streaming_content)
    assert b"--tx-red" in gzip.decompress(body)
    # Every static reference on the page is a collected, fingerprinted file.
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', page):
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", url), url
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_html_is_gzipped_for_browsers_that_accept_it(client):
    r = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert r["Content-Encoding"] == "gzip"
    assert "登录".encode() in gzip.decompress(r.content)
    assert "Content-Encoding" not in client.get("/accounts/login/")


def _template_classes() -> dict[str, str]:
    """class → first template using it, from the static parts of every class attribute."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "tongxin").rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for attr in re.findall(r'class="([^"]*)"', text):
            for name in re.sub(r"\{[{%].*?[}%]\}", " ", attr).split():
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def test_the_trimmed_bootstrap_keeps_every_bootstrap_class_the_templates_use():
    # tools/frontend/bootstrap-classes.txt lists every class of the full Bootstrap build.
    bootstrap = set((ROOT / "tools/frontend/bootstrap-classes.txt").read_text().split())
    trimmed = (ROOT / "tongxin/static/vendor/bootstrap/bootstrap.min.css").read_text()
    kept = set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", trimmed))
    missing = {
        name: where
        for name, where in _template_classes().items()
        if name in bootstrap and name not in kept
    }
    assert not missing, (
        f"run `npm run build:css` in tools/frontend and commit the output: {missing}"
    )


class _Form(forms.Form):
    name = forms.CharField(label="姓名", help_text="与身份证一致。")
    agree = forms.BooleanField(label="同意", help_text="须勾选。")


def test_the_shared_field_renders_help_and_errors_under_the_ids_the_widget_points_to():
    form = _Form(data={"name": ""})
    html = render_to_string("_form_fields.html", {"form": form})
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described == ["id_name_helptext id_name_error", "id_agree_helptext id_agree_error"]
    for ids in described:
        for id_ in ids.split():
            assert re.search(rf'id="{id_}"', html), id_
    error = re.search(r'id="id_name_error">(.*?)</div></div>', html, re.S)
    assert error and ("必填" in error.group(1) or "required" in error.group(1))
    assert 'aria-invalid="true"' in html
    assert 'class="form-check-input is-invalid"' in html


def test_a_valid_field_points_only_to_its_help_text():
    html = render_to_string(
        "_field.html", {"field": _Form(data={"name": "王芳", "agree": "on"})["name"]}
    )
    assert 'aria-describedby="id_name_helptext"' in html
    assert "_error" not in html
