"""Driving the dashboard in a real headless Chromium: the distribution's browser
(/usr/bin/chromium, installed by .ci/run) through Playwright.

``dashboard`` starts ``teachsim dashboard --no-browser --port 0`` in a working directory
of its own and yields its address; ``page`` is a fresh browser tab. Both are fixtures
(registered in conftest.py); ``open_page`` waits until Solara has drawn the page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TEACHSIM_CHROMIUM", "/usr/bin/chromium")
#: Chromium's own connections (updates, sync, field trials) are refused on a closed
#: network; these keep it quiet and quick
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
URL = re.compile(r"(http://127\.0\.0\.1:\d+/)")
#: seconds the dashboard may take to answer (the issue: "within seconds")
START_TIMEOUT = 30.0


def have_chromium() -> bool:
    """Whether Chromium is here; in CI its absence fails the tests instead of skipping
    them, since .ci/run installs it."""
    found = Path(CHROMIUM).exists() or shutil.which("chromium") is not None
    if not found and os.environ.get("CI"):
        pytest.fail("no Chromium in CI: .ci/run should have installed it (apt-get install "
                    "chromium)")
    return found


class Dashboard:
    def __init__(self, url: str, proc: subprocess.Popen[str], cwd: Path, started: float
                 ) -> None:
        self.url = url
        self.proc = proc
        self.cwd = cwd
        #: seconds from launching the command to its printed address
        self.started = started


def start_dashboard(cwd: Path, *args: str) -> Dashboard:
    env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="200")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "teachsim", "dashboard", "--no-browser",
                             "--port", "0", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    lines = []
    while time.perf_counter() - t0 < START_TIMEOUT:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        m = URL.search(line)
        if m:
            return Dashboard(m.group(1), proc, cwd, time.perf_counter() - t0)
    proc.kill()
    raise AssertionError("the dashboard did not print its address:\n" + "".join(lines))


def stop_dashboard(d: Dashboard) -> None:
    d.proc.terminate()
    try:
        d.proc.wait(10)
    except subprocess.TimeoutExpired:
        d.proc.kill()


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    if not have_chromium():
        pytest.skip("no Chromium: apt-get install chromium (.ci/run does)")
    cwd = tmp_path_factory.mktemp("dashboard")
    d = start_dashboard(cwd)
    yield d
    stop_dashboard(d)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not have_chromium():
        pytest.skip("no Chromium: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                              else shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000},  # type: ignore[attr-defined]
                                  accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def open_page(page: object, url: str, ready_text: str) -> None:
    """Go to ``url`` and wait until ``ready_text`` is on the page."""
    page.goto(url)  # type: ignore[attr-defined]
    page.get_by_text(ready_text).first.wait_for()  # type: ignore[attr-defined]


def shot(page: object, name: str) -> Path:
    """A full-page screenshot in $TEACHSIM_SCREENSHOTS (default: none taken)."""
    where = os.environ.get("TEACHSIM_SCREENSHOTS")
    if not where:
        return Path()
    path = Path(where) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Solara's layout scrolls inside its own box, so a full-page shot would stop at the
    # window: make the window as tall as the tallest scrolled content instead
    size = page.viewport_size  # type: ignore[attr-defined]
    tall = page.evaluate(  # type: ignore[attr-defined]
        "() => Math.max(...Array.from(document.querySelectorAll('*'), e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": min(int(tall) + 40, 8000)})  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    page.set_viewport_size(size)  # type: ignore[attr-defined]
    return path
