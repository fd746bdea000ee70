"""Run the vendored axe-core inside a Playwright page and fail on any WCAG 2.x A/AA violation.

The site's Content Security Policy allows scripts from its own origin only (`script-src
'self'`), so `add_script_tag(content=...)` would be refused. Instead `page.route` answers a
made-up path on the app's origin with the vendored file, and a `<script src>` pointing there
loads it like any of the site's own scripts: the policy stays exactly as production sends it
(no `bypass_csp`), so the pages are checked as visitors get them. `axe.run` itself is called
through `page.evaluate`, which the DevTools protocol runs outside the page's policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from weakref import WeakSet

AXE_FILE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_PATH = "/__test-only__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_routed: WeakSet[Any] = WeakSet()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def inject_axe(page: Any) -> None:
    """Load axe into the current document (again after every navigation)."""
    if page.evaluate("typeof window.axe") == "object":
        return
    if page not in _routed:
        page.route(
            "**" + AXE_PATH,
            lambda route: route.fulfill(
                path=str(AXE_FILE), content_type="application/javascript; charset=utf-8"
            ),
        )
        _routed.add(page)
    page.add_script_tag(url=_origin(page.url) + AXE_PATH)


def run_axe(page: Any, include: str | None = None) -> list[dict[str, Any]]:
    """The violations axe finds in the page (or the part `include` selects) for WCAG A and AA.

    Once the page has loaded: after a click that posts a form, the answer's elements can be
    in the DOM before its stylesheet applies, and axe would measure unstyled targets."""
    page.wait_for_load_state("load")
    inject_axe(page)
    return page.evaluate(
        """async ([include, tags]) => {
            const context = include ? { include: [include] } : document;
            const result = await window.axe.run(context, {
                runOnly: { type: "tag", values: tags },
                resultTypes: ["violations"],
            });
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(" "),
                    html: n.html,
                    summary: n.failureSummary,
                })),
            }));
        }""",
        [include, WCAG_TAGS],
    )


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable list: rule, impact and help, then each offending element and why."""
    lines: list[str] = []
    for violation in violations:
        impact, rule = violation["impact"], violation["id"]
        lines.append(f"[{impact}] {rule}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}")
            lines.append(f"       {node['html'][:200]}")
            for reason in (node["summary"] or "").splitlines():
                lines.append(f"       {reason.strip()}")
    return "\n".join(lines)


def assert_accessible(page: Any, include: str | None = None) -> None:
    """Fail with every WCAG 2.0/2.1/2.2 A and AA violation axe finds on the page as it is now."""
    violations = run_axe(page, include)
    assert not violations, f"axe found violations on {page.url}:\n{describe(violations)}"
