"""axe-core in the browser, and the list of pages the accessibility suite checks.

axe-core comes from the npm registry (package.json pins it; `make e2e` runs `npm ci`). It is
put into each page with Playwright's `page.evaluate`, which runs the script through the
DevTools protocol (Runtime.evaluate) in the page's own world: the page's Content Security
Policy governs what the *page* may load and run, not what the debugger evaluates, so the
site keeps its strict policy (no inline scripts) for the whole run and nothing about the page
is weakened to test it. A `<script>` tag (`add_script_tag`) would be refused by that policy,
and a context with `bypass_csp` would check a page that is not the one people get.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


@dataclass(frozen=True)
class Exemption:
    """A violation that is Wagtail's own, not ours: one rule on one exact selector."""

    rule: str
    selector: str
    why: str


def axe_source() -> str:
    if not AXE_PATH.exists():
        raise RuntimeError(f"{AXE_PATH} is missing: run `npm ci --ignore-scripts` (make e2e does)")
    return AXE_PATH.read_text()


def axe_violations(page, exemptions: tuple[Exemption, ...] = ()) -> list[dict]:
    """Run axe-core on the page as it is now; return its serious and critical violations,
    each node that an exemption names left out."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    results = page.evaluate(
        """async () => {
            const r = await window.axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(" "), impact: n.impact,
                    summary: (n.failureSummary || "").slice(0, 300),
                    html: n.html.slice(0, 200)}))}));
        }"""
    )
    found = []
    for violation in results:
        nodes = [
            node
            for node in violation["nodes"]
            if (node["impact"] or violation["impact"]) in BLOCKING_IMPACTS
            and not any(
                ex.rule == violation["id"] and ex.selector == node["target"] for ex in exemptions
            )
        ]
        if nodes:
            found.append({**violation, "nodes": nodes})
    return found


def describe(url: str, violations: list[dict]) -> str:
    lines = [f"{url}:"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"      {node['target']}  {node['html']}")
            lines.append(f"        {node['summary']}".replace("\n", " | "))
    return "\n".join(lines)


def build_world(server, suffix: str, password: str) -> dict:
    code = (
        "import sys; sys.path.insert(0, 'tests/e2e'); import a11y_world; "
        f"a11y_world.build({suffix!r}, {password!r})"
    )
    out = server.manage("shell", "-c", code).stdout.strip().splitlines()
    return json.loads(out[-1])


# --- The pages, from the URL patterns ----------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str
    name: str


def walk_urls(prefixes: tuple[str, ...]) -> list[Route]:
    """Every named URL pattern of the project whose route starts with one of *prefixes*."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, Route] = {}

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                route = prefix + str(pattern.pattern)
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if route.startswith(prefixes) and name not in found:
                    found[name] = Route(route, name)

    walk(get_resolver(), "", None)
    return list(found.values())


def fill(route: Route, ids: dict, overrides: dict[str, str]) -> str | None:
    """The route with its parameters filled from the world (*overrides* by parameter name
    first); None when the route has a parameter the world has nothing for."""
    missing = []

    def value(match):
        name = match.group(2)
        if name in overrides:
            return str(ids[overrides[name]])
        if name in ids:
            return str(ids[name])
        missing.append(name)
        return "x"

    path = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route.route)
    return None if missing else path
