"""Suite 5 of the proof issue in the browser: the security headers as the browser gets
them (under prod-local through nginx, which serves the static files itself, over TLS with
HSTS), and the Content-Security-Policy watch on every page of every context (conftest.py).
"""

from __future__ import annotations

import pytest
from security_headers import header_problems

URLS = [
    "/",
    "/forum/",
    "/accounts/login/",
    "/letters/new/",
    "/static/css/ordrom.css",
    "/static/js/ordrom.js",
    "/static/favicon.svg",
    "/static/finnes-ikke.css",
    "/finnes-ikke/",
    "/healthz",
    "/quick-exit/",
    "/admin/",
]


def test_every_kind_of_answer_reaches_the_browser_with_the_security_headers(context, base_url):
    problems = []
    for url in URLS:
        response = context.request.get(url, max_redirects=0)
        assert response.status in (200, 302, 404), url
        problems += [
            f"{response.status} {url}: {problem}"
            for problem in header_problems(
                response.headers, url, hsts_expected=base_url.startswith("https://")
            )
        ]
    assert not problems, "\n".join(problems)


def test_a_csp_violation_in_a_second_persons_context_is_caught(browser, base_url, csp_violations):
    """The watch covers contexts a test makes itself, not only the `page` fixture's: a
    script injected into the page is blocked, and the watch saw it."""
    context = browser.new_context(base_url=base_url, locale="nb-NO")
    try:
        page = context.new_page()
        page.goto("/forum/")
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.ordromInjected = true";
                document.body.append(script);
            }"""
        )
        assert page.evaluate("window.ordromInjected === undefined")
        found = csp_violations()
        assert any("script-src" in v and "/forum/" in v for v in found), found
    finally:
        context.close()
    assert not csp_violations()


@pytest.mark.parametrize("path", ["/", "/forum/", "/letters/new/", "/accounts/signup/"])
def test_public_pages_open_without_a_csp_violation(page, path):
    """The `page` fixture fails a test on any violation; these are pages every visitor sees."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
