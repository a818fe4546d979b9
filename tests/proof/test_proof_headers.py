"""Suite 5 of the proof issue: every kind of answer the site gives carries the security
headers (tests/security_headers.py holds the rules).

The authorisation matrix (test_authz_matrix.py) applies the same rules to every answer of
its walk (every URL × role, GET and POST), so this file covers what the walk does not
reach: static files, media, documents, error pages (404, 403, 400, 500, CSRF failure),
/healthz both ways, redirects, and production's settings over HTTPS (HSTS) and HTTP (the
HTTPS redirect).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import include, path
from security_headers import assert_security_headers

ROOT = Path(__file__).resolve().parents[2]


def _boom(request):
    raise RuntimeError("a bug in a view")


# This module is the URLconf of the 500 test: the site's URLs plus one view that fails.
urlpatterns = [path("proof-boom/", _boom), path("", include("ordrom.urls"))]
handler404 = "ordrom.views.page_not_found"
handler500 = "ordrom.views.server_error"


def _get(client: Client, url: str, **extra):
    response = client.get(url, **extra)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


# --- Static files, media, documents -------------------------------------------------------------


def _our_static_files() -> list[str]:
    base = ROOT / "static"
    return sorted("/static/" + str(p.relative_to(base)) for p in base.rglob("*") if p.is_file())


@pytest.mark.django_db
def test_every_static_file_has_the_headers(client):
    urls = [
        *_our_static_files(),
        "/static/wagtailadmin/js/core.js",  # the admin's own, served the same way
        "/static/css/finnes-ikke.css",
    ]
    assert "/static/favicon.svg" in urls  # an SVG opened on its own could run script
    for url in urls:
        response = _get(client, url)
        assert response.status_code == (404 if "finnes-ikke" in url else 200), url
        assert_security_headers(response, url)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.django_db
def test_an_image_in_an_article_is_served_with_the_headers(client, settings, tmp_path):
    """An image an editor adds (ImageBlock) links to a rendition under /media/images/;
    nothing served /media/ outside DEBUG, so the image was a broken link in production."""
    from wagtail.images import get_image_model

    settings.MEDIA_ROOT = str(tmp_path)
    image = get_image_model().objects.create(
        title="Fjord", file=ContentFile(_png(), name="fjord.png"), width=40, height=30
    )
    rendition = image.get_rendition("max-20x20")

    response = _get(client, rendition.url)

    assert rendition.url.startswith("/media/images/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert_security_headers(response, rendition.url)
    # The original (camera metadata, a location) is not served; nor is a path outside.
    for url in (image.file.url, "/media/images/../original_images/fjord.png"):
        response = _get(client, url)
        assert response.status_code == 404, url
        assert_security_headers(response, url)


@pytest.mark.django_db
def test_a_document_is_served_with_the_headers(client, settings, tmp_path):
    from wagtail.documents import get_document_model

    settings.MEDIA_ROOT = str(tmp_path)
    document = get_document_model().objects.create(
        title="Brosjyre", file=ContentFile(b"%PDF-1.4\n", name="brosjyre.pdf")
    )

    response = _get(client, document.url)

    assert response.status_code == 200
    assert_security_headers(response, document.url)
    # Documents are served only through Wagtail's view, which checks their privacy.
    raw = _get(client, document.file.url)
    assert raw.status_code == 404
    assert_security_headers(raw, document.file.url)


# --- Error pages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_not_found_and_not_allowed_pages_have_the_headers(client, member_client):
    not_found = _get(client, "/finnes-ikke/")
    not_allowed = _get(member_client, "/admin/")

    assert not_found.status_code == 404
    assert_security_headers(not_found, "/finnes-ikke/")
    assert not_allowed.status_code == 403
    assert_security_headers(not_allowed, "/admin/", signed_in=True)


@pytest.mark.django_db
def test_a_request_for_another_host_is_refused_with_the_headers():
    response = _get(Client(HTTP_HOST="ordrom.evil.example"), "/")

    assert response.status_code == 400
    assert_security_headers(response, "/")


@pytest.mark.django_db
def test_a_server_error_page_has_the_headers(settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/proof-boom/")

    assert response.status_code == 500
    assert_security_headers(response, "/proof-boom/")


@pytest.mark.django_db
def test_a_csrf_failure_page_has_the_headers_and_says_what_to_do(member, password):
    """Django's own CSRF page is English technical text with an inline <style>, which the
    site's policy blocks; the site's page says what to do, in bokmål, in its layout."""
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"login": member.username, "password": password}
    )

    assert response.status_code == 403
    assert_security_headers(response, "/accounts/login/")
    text = response.content.decode()
    assert "Skjemaet kunne ikke sendes" in text
    assert "<style" not in text and "CSRF" not in text


# --- Health check and redirects -----------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_has_the_headers_when_healthy_and_when_not(client, monkeypatch):
    from ordrom import health

    healthy = _get(client, "/healthz")

    async def no_layer():
        return False

    monkeypatch.setattr(health, "_channel_layer_answers", no_layer)
    unhealthy = _get(client, "/healthz")

    assert (healthy.status_code, unhealthy.status_code) == (200, 503)
    assert_security_headers(healthy, "/healthz")
    assert_security_headers(unhealthy, "/healthz")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/quick-exit/",
        "/i18n/language/?language=en&next=/forum/",
        "/letters/",  # to the login page
        "/admin/login/",  # Wagtail's login, sent to the one door
        "/forum",  # CommonMiddleware's added slash
    ],
)
def test_redirects_have_the_headers(client, url):
    response = _get(client, url)

    assert response.status_code in (301, 302), url
    assert_security_headers(response, url.split("?")[0])


# --- Production's settings: HSTS over HTTPS, the redirect over HTTP -----------------------------

_PRODUCTION_SETTINGS = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


@pytest.fixture(scope="module")
def production_settings() -> dict:
    """The header settings `DJANGO_ENV=production` gives (read from the settings module in a
    process of its own: production refuses to start without its variables, which the
    environment here does not all have)."""
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "proof-" + "k" * 60,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://ordrom@127.0.0.1:5432/unused",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "ORDROM_MFA_KEY": Fernet.generate_key().decode(),
    }
    for name in ("ORDROM_SSL_REDIRECT", "ORDROM_HSTS_PRELOAD", "ORDROM_BEHIND_PROXY"):
        env.pop(name, None)
    script = (
        "import json, ordrom.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {list(_PRODUCTION_SETTINGS)}}}))"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout
    values = json.loads(out.strip().splitlines()[-1])
    if values["SECURE_PROXY_SSL_HEADER"]:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


PRODUCTION_URLS = [
    "/",
    "/forum/",
    "/accounts/login/",
    "/static/css/ordrom.css",
    "/finnes-ikke/",
    "/quick-exit/",
    "/admin/",
]


@pytest.mark.django_db
def test_production_sends_hsts_on_every_kind_of_answer_over_https(
    settings, production_settings, member
):
    for name, value in production_settings.items():
        setattr(settings, name, value)
    assert settings.SECURE_HSTS_SECONDS >= 365 * 24 * 60 * 60
    visitor = Client(HTTP_X_FORWARDED_PROTO="https")  # as nginx says it
    signed_in = Client(HTTP_X_FORWARDED_PROTO="https")
    signed_in.force_login(member)

    for url in [*PRODUCTION_URLS, "/healthz"]:
        response = _get(visitor, url)
        assert response.status_code in (200, 302, 404), url
        assert_security_headers(response, url)
        assert "preload" in response.headers["Strict-Transport-Security"]
    for url in ("/", "/accounts/", "/letters/", "/static/css/ordrom.css"):
        response = _get(signed_in, url)
        assert response.status_code == 200, url
        assert_security_headers(response, url, signed_in=True)
    failed_login = visitor.post("/accounts/login/", {"login": "Ingen", "password": "feil"})
    assert failed_login.status_code == 200
    assert_security_headers(failed_login, "/accounts/login/")


@pytest.mark.django_db
def test_production_over_plain_http_redirects_to_https_with_the_headers(
    settings, production_settings
):
    for name, value in production_settings.items():
        setattr(settings, name, value)
    client = Client()

    for url in PRODUCTION_URLS:
        response = _get(client, url)
        assert response.status_code == 301, url
        assert response.headers["Location"].startswith("https://"), url
        assert_security_headers(response, url)  # and no HSTS over HTTP
    # The load balancer's probe may ask over plain HTTP.
    health = _get(client, "/healthz")
    assert health.status_code == 200
    assert_security_headers(health, "/healthz")
