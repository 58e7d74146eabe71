"""``teachsim dashboard``: answers on 127.0.0.1 within seconds and on no other address;
a busy port or a bad results directory is refused with the CLI's message and exit 2."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import Dashboard, open_page

#: the issue asks for an answer "within seconds"; measured ~3 s here (docs/performance.md)
ANSWER_WITHIN = 20.0


def listening(port: int) -> list[str]:
    """Local addresses of the sockets listening on ``port`` (from /proc/net/tcp*)."""
    found = []
    for name, size in (("tcp", 8), ("tcp6", 32)):
        table = Path(f"/proc/net/{name}")
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:  # 0A: LISTEN
                if size == 8:
                    found.append(socket.inet_ntoa(bytes.fromhex(addr)[::-1]))
                else:
                    found.append(f"ipv6:{addr}")
    return found


def local_addresses() -> set[str]:
    """This machine's IPv4 addresses (the kernel's table of local routes)."""
    trie = Path("/proc/net/fib_trie")
    if not trie.exists():
        return set()
    lines = trie.read_text().splitlines()
    return {lines[i - 1].split()[-1] for i, line in enumerate(lines)
            if "/32 host LOCAL" in line}


def test_answers_on_loopback_only(dashboard: Dashboard) -> None:
    port = int(dashboard.url.rstrip("/").rsplit(":", 1)[1])
    assert dashboard.url.startswith("http://127.0.0.1:")
    assert listening(port) == ["127.0.0.1"]
    with urllib.request.urlopen(dashboard.url, timeout=10) as r:
        assert r.status == 200
        assert b"solara" in r.read().lower()


def test_never_on_another_address(dashboard: Dashboard) -> None:
    port = int(dashboard.url.rstrip("/").rsplit(":", 1)[1])
    others = local_addresses() - {"127.0.0.1"}
    for host in sorted(others):
        with pytest.raises(OSError), socket.create_connection((host, port), timeout=2):
            pass


def test_answers_within_seconds(tmp_path: Path) -> None:
    from tests.browser import have_chromium, start_dashboard, stop_dashboard

    have_chromium()
    t0 = time.perf_counter()
    d = start_dashboard(tmp_path)
    try:
        with urllib.request.urlopen(d.url, timeout=ANSWER_WITHIN) as r:
            assert r.status == 200
        took = time.perf_counter() - t0
        print(f"dashboard answered in {took:.1f} s")
        assert took < ANSWER_WITHIN
    finally:
        stop_dashboard(d)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teachsim", "dashboard", "--no-browser",
                           *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_busy_port_is_refused(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = _cli("--port", str(port), cwd=tmp_path)
    assert r.returncode == 2
    assert f"--port: cannot listen on 127.0.0.1:{port}" in r.stderr
    assert "fix: choose another port with --port N, or --port 0" in r.stderr


def test_results_dir_must_be_a_directory(tmp_path: Path) -> None:
    r = _cli(str(tmp_path / "missing"), cwd=tmp_path)
    assert r.returncode == 2
    assert "missing: is not a directory (RESULTS_DIR)" in r.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_every_page_opens(dashboard: Dashboard, page: object) -> None:
    """Each tab shows its page (the pages' own tests drive them in depth)."""
    open_page(page, dashboard.url, "Grant budget by fiscal year")
    for tab, path in (("Schedule designer", "schedule"), ("Run and compare", "compare"),
                      ("Results explorer", "results"), ("Budget what-if", "")):
        page.get_by_role("tab", name=tab).click()  # type: ignore[attr-defined]
        page.wait_for_url(dashboard.url + path)  # type: ignore[attr-defined]
