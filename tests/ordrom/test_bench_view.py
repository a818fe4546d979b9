"""The bare `ok` view of `make bench` exists only in a benchmark run (ORDROM_BENCH=1)."""

from __future__ import annotations

import importlib

import pytest
from django.urls import clear_url_caches


@pytest.fixture
def reload_urls():
    """Re-import the URLconf after changing settings, and restore it afterwards."""
    import ordrom.urls

    def reload():
        importlib.reload(ordrom.urls)
        clear_url_caches()

    yield reload
    reload()


@pytest.mark.django_db
def test_bench_ok_is_not_found_in_a_normal_run(client, settings):
    assert settings.ORDROM_BENCH is False
    # CommonMiddleware first offers /bench/ok/ (Wagtail's pages would match it); it is not there.
    assert client.get("/bench/ok", follow=True).status_code == 404


@pytest.mark.django_db
def test_bench_ok_answers_ok_when_the_benchmark_mounts_it(client, settings, reload_urls):
    settings.ORDROM_BENCH = True
    reload_urls()
    response = client.get("/bench/ok")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_bench_ok_is_gone_again_when_the_setting_is_off(client, settings, reload_urls):
    settings.ORDROM_BENCH = True
    reload_urls()
    settings.ORDROM_BENCH = False
    reload_urls()
    assert client.get("/bench/ok", follow=True).status_code == 404
