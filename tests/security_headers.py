"""The security headers every response of Ordrom must carry (foundation issue, item 8;
DESIGN.md, "Strict headers"): one rule set that the non-browser sweep (tests/proof) and the
browser tests (tests/e2e, which also reach nginx under prod-local) apply to each response.

The public site has a strict Content-Security-Policy; the Wagtail admin (``/admin/``) has
its own looser one (inline scripts), which still forbids plugins and foreign framing.
HSTS is sent only where it applies: over HTTPS with production's settings (browsers ignore
it over plain HTTP, and development must not pin localhost to HTTPS).
"""

from __future__ import annotations

from collections.abc import Mapping

ADMIN_PREFIX = "/admin/"
STATIC_PREFIX = "/static/"
DENIED_FEATURES = ("camera=()", "microphone=()", "geolocation=()")
HSTS_ONE_YEAR = "max-age=31536000"


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name.lower()] = values
    return directives


def header_problems(
    headers: Mapping[str, str],
    path: str,
    *,
    hsts_expected: bool = False,
    signed_in: bool = False,
) -> list[str]:
    """What is missing or wrong in one response's security headers (empty: all is well).

    *path*: the request path. *hsts_expected*: the request came over HTTPS to a production
    setup (otherwise HSTS must be absent). *signed_in*: the request carried a session.
    """
    h = {name.lower(): value for name, value in headers.items()}
    problems: list[str] = []

    def expect(name: str, wanted: str) -> None:
        if h.get(name.lower()) != wanted:
            problems.append(f"{name}: {h.get(name.lower())!r}, expected {wanted!r}")

    expect("X-Content-Type-Options", "nosniff")
    expect("Referrer-Policy", "no-referrer")
    expect("Cross-Origin-Opener-Policy", "same-origin")
    permissions = h.get("permissions-policy", "")
    missing = [feature for feature in DENIED_FEATURES if feature not in permissions]
    if missing:
        problems.append(f"Permissions-Policy {permissions!r} does not deny {missing}")

    admin = path.startswith(ADMIN_PREFIX)
    frame_options = h.get("x-frame-options")
    # Wagtail's preview views are framed by the admin itself.
    if frame_options not in ({"DENY", "SAMEORIGIN"} if admin else {"DENY"}):
        problems.append(f"X-Frame-Options: {frame_options!r}")

    policy = h.get("content-security-policy")
    if not policy:
        problems.append("no Content-Security-Policy")
    else:
        csp = csp_directives(policy)
        object_src = csp.get("object-src", csp.get("default-src"))
        if object_src != ["'none'"]:
            problems.append(f"CSP object-src {object_src}")
        if admin:
            if csp.get("frame-ancestors") not in (["'self'"], ["'none'"]):
                problems.append(f"admin CSP frame-ancestors {csp.get('frame-ancestors')}")
        else:
            script_src = csp.get("script-src", csp.get("default-src", []))
            for loose in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
                if loose in script_src:
                    problems.append(f"CSP script-src allows {loose}")
            if "'unsafe-inline'" in csp.get("default-src", []):
                problems.append("CSP default-src allows 'unsafe-inline'")
            if csp.get("base-uri") != ["'none'"]:
                problems.append(f"CSP base-uri {csp.get('base-uri')}")
            if csp.get("frame-ancestors") != ["'none'"]:
                problems.append(f"CSP frame-ancestors {csp.get('frame-ancestors')}")

    hsts = h.get("strict-transport-security")
    if hsts_expected:
        if not hsts or HSTS_ONE_YEAR not in hsts or "includesubdomains" not in hsts.lower():
            problems.append(f"Strict-Transport-Security: {hsts!r} over HTTPS in production")
    elif hsts:
        problems.append(f"Strict-Transport-Security {hsts!r} where it does not apply")

    # Shared devices: nothing a signed-in person saw may be kept by a browser or proxy.
    stored = "no-store" not in h.get("cache-control", "")
    if signed_in and stored and not path.startswith(STATIC_PREFIX):
        problems.append(f"Cache-Control {h.get('cache-control')!r} for a signed-in person")
    return problems


def assert_security_headers(response, path: str, *, signed_in: bool = False) -> None:
    """For a Django test client's response: HSTS expected when it was a secure request to
    settings that send HSTS."""
    from django.conf import settings

    hsts_expected = bool(settings.SECURE_HSTS_SECONDS) and response.wsgi_request.is_secure()
    problems = header_problems(
        response.headers, path, hsts_expected=hsts_expected, signed_in=signed_in
    )
    assert not problems, f"{response.status_code} {path}: " + "; ".join(problems)
