"""What every page's browser test shares: headless Chromium's arguments, the artifacts folder,
screenshots at a phone's and a laptop's width, and the axe-core accessibility check.

axe-core comes from `tools.axe_core()` and is injected into the page; pages whose CSP allows
no inline script are opened in a context made with `bypass_csp=True` for that (`context`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT
from support import tools

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Gitignored (test-artifacts/): screenshots people look at after a run.
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
#: A phone (iPhone 12-15 CSS width) and a laptop.
WIDTHS = (390, 1280)
#: What fails the check (axe's impacts: minor, moderate, serious, critical).
FAILING = ("serious", "critical")


def context(browser: Any, locale: str = "es-MX") -> Any:
    return browser.new_context(
        viewport={"width": WIDTHS[0], "height": 844}, locale=locale, bypass_csp=True
    )


def screenshots(page: Any, folder: Path, name: str) -> list[Path]:
    """`name-390.png` and `name-1280.png` (full page), back at the phone width after."""
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
        path = folder / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)
    page.set_viewport_size({"width": WIDTHS[0], "height": 844})
    # The renderer takes the size back on its own time (seen on a loaded machine: a page
    # measured 392 px wide at 390): wait until it has, and for a frame laid out at it.
    page.wait_for_function(f"() => window.innerWidth === {WIDTHS[0]}")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return shots


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core violations of the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(tools.or_fail(tools.axe_core)))
    result = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    lines = []
    for violation in result["violations"]:
        if violation.get("impact") in FAILING:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            impact, rule, why = violation["impact"], violation["id"], violation["help"]
            lines.append(f"{impact} {rule}: {why} at {targets}")
    return lines
