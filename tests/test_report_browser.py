"""The HTML report in a real browser (Debian's chromium through Playwright): offline, on screen, in print."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from stats_helpers import CHROMIUM, CHROMIUM_ARGS, NO_CHROMIUM, SignedIn, plain, seeded

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)]

@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignedIn]:
    with seeded(tmp_path_factory.mktemp("report") / "ws") as channel:
        yield channel


def write(seed: SignedIn, path: Path) -> Path:
    result = seed.cli("report", "--from", "2020-03-16", "--to", "2020-05-16", "-o", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_the_html_report_opens_offline_and_shows_the_figures(seed: SignedIn, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    path = write(seed, tmp_path / "rapport.html")
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=list(CHROMIUM_ARGS))
        try:
            context = browser.new_context(offline=True, viewport={"width": 1000, "height": 1400})
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.goto(path.as_uri(), wait_until="load")
            assert plain(page.inner_text('[data-figure="subscribers-start"] .value')) == "600"
            assert plain(page.inner_text('[data-figure="subscribers-end"] .value')) == "2 300"
            assert plain(page.inner_text('[data-figure="net-gain"] .value')) == "+1 700"
            for chart in ("subscribers", "weekly-views", "weekly-minutes"):
                box = page.locator(f'svg[data-chart="{chart}"]').bounding_box()
                assert box and box["width"] > 500 and box["height"] > 100, chart
            assert page.locator("g.publication").count() == 6
            page.screenshot(path=str(tmp_path / "rapport.png"), full_page=True)
            page.emulate_media(media="print")
            style = "getComputedStyle(document.querySelector('#audience')).breakBefore"
            assert page.evaluate(style) == "page"
        finally:
            browser.close()
    assert requests == [path.as_uri()]  # one self-contained file: nothing else is fetched
    assert (tmp_path / "rapport.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "rapport.png").stat().st_size > 50_000
