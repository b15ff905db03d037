"""The HTML graph in a real headless Chromium: it draws, its script runs, it fetches nothing.

Chromium comes from Debian's packages (``scripts/test.sh`` installs it). Requests are caught by
a recording proxy on 127.0.0.1: Chromium sends everything through it, so a page that loaded a
script, font or image from anywhere would show up there.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from PIL import Image
from test_show_support import BUILTIN, builtin_bundle

from stix_mtac.cli import cli
from stix_mtac.view.styles import style_for

pytestmark = pytest.mark.browser

# Chromium's own background services (clock sync, component updates, sign-in) call these even
# with background networking disabled; they are the browser's traffic, not the page's.
BROWSER_SERVICE_HOSTS = ("google.com", "googleapis.com", "gvt1.com", "gstatic.com")
WINDOW = (1400, 900)


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium is not installed: apt-get install -y chromium (scripts/test.sh does)")


def requested_host(request_line: str) -> str:
    """The host of a proxy request line: ``CONNECT host:443 ...`` or ``GET http://host/...``."""
    parts = request_line.split(" ")
    if len(parts) < 2:
        return ""
    method, target = parts[0], parts[1]
    if method == "CONNECT":
        return target.rsplit(":", 1)[0].lower()
    return (urlsplit(target).hostname or "").lower()


def is_browser_service(request_line: str) -> bool:
    host = requested_host(request_line)
    return any(host == known or host.endswith("." + known) for known in BROWSER_SERVICE_HOSTS)


class RecordingProxy:
    """Accepts proxy connections and keeps each request's first line."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.requests: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                try:
                    head = connection.recv(4096).decode("latin-1")
                except OSError:
                    head = "(unreadable request)"
                self.requests.append(head.split("\r\n", 1)[0])

    def page_requests(self) -> list[str]:
        """Requests other than Chromium's own service calls."""
        return [line for line in self.requests if not is_browser_service(line)]

    def close(self) -> None:
        self.server.close()


@contextmanager
def recording_proxy() -> Iterator[RecordingProxy]:
    proxy = RecordingProxy()
    try:
        yield proxy
    finally:
        proxy.close()


def run_chromium(page: Path | str, profile: Path, proxy: RecordingProxy, *mode: str) -> str:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        f"--proxy-server=http://127.0.0.1:{proxy.port}",
        "--proxy-bypass-list=<-loopback>",
        *mode,
        page.as_uri() if isinstance(page, Path) else page,
    ]
    result = subprocess.run(command, capture_output=True, timeout=90, check=False)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    return result.stdout.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "graph.html"
    result = CliRunner().invoke(cli, ["graph", str(BUILTIN), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_page_script_runs_over_the_drawn_graph_without_network(page: Path, tmp_path: Path) -> None:
    bundle = builtin_bundle()
    nodes = sum(o["type"] != "relationship" for o in bundle["objects"])
    edges = sum(o["type"] == "relationship" for o in bundle["objects"])
    with recording_proxy() as proxy:
        dom = run_chromium(page, tmp_path / "profile", proxy, "--dump-dom")
    assert f'data-graph-ready="{nodes}/{edges}"' in dom
    assert f'<span id="status">{nodes} nodes, {edges} edges</span>' in dom
    assert proxy.page_requests() == []


def test_screenshot_shows_every_node_type_drawn(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    with recording_proxy() as proxy:
        run_chromium(page, tmp_path / "profile", proxy, f"--screenshot={shot}")
    assert proxy.page_requests() == []
    image = Image.open(shot).convert("RGB")
    assert image.size == WINDOW
    colours = {colour: count for count, colour in image.getcolors(maxcolors=1 << 22) or []}
    types = {o["type"] for o in builtin_bundle()["objects"] if o["type"] != "relationship"}
    for stix_type in types:
        fill = style_for(stix_type).fill
        rgb = (int(fill[1:3], 16), int(fill[3:5], 16), int(fill[5:7], 16))
        # Scaled to fit the window, a node still covers a few thousand pixels of its colour.
        assert colours.get(rgb, 0) > 800, (stix_type, colours.get(rgb, 0))


def test_only_chromium_service_hosts_are_set_aside() -> None:
    assert is_browser_service("CONNECT update.googleapis.com:443 HTTP/1.1")
    assert is_browser_service("GET http://clients2.google.com/time/1/current HTTP/1.1")
    assert not is_browser_service("GET http://notgoogle.com/google.com/ HTTP/1.1")
    assert not is_browser_service("CONNECT cdn.jsdelivr.net:443 HTTP/1.1")
    assert not is_browser_service("GET http://example.invalid/?q=googleapis.com HTTP/1.1")


def test_proxy_does_catch_a_page_that_fetches(tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.html"
    leaky.write_text(
        '<!DOCTYPE html><html><body><img src="http://example.invalid/pixel.png"></body></html>',
        encoding="utf-8",
    )
    with recording_proxy() as proxy:
        run_chromium(leaky, tmp_path / "profile", proxy, "--dump-dom")
    assert any("example.invalid" in line for line in proxy.page_requests())


def test_selecting_a_node_shows_its_properties_and_its_neighbours(
    page: Path, tmp_path: Path
) -> None:
    bundle = builtin_bundle()
    campaign = next(o for o in bundle["objects"] if o["name"].startswith("Storm-0558 access"))
    linked = [
        o
        for o in bundle["objects"]
        if o["type"] == "relationship" and campaign["id"] in (o["source_ref"], o["target_ref"])
    ]
    # A link to page#<id> selects that object through the same code path as a click.
    with recording_proxy() as proxy:
        dom = run_chromium(f"{page.as_uri()}#{campaign['id']}", tmp_path / "p", proxy, "--dump-dom")
    assert f'<h2 id="details-title">campaign: {campaign["name"]}</h2>' in dom
    assert f"id: {campaign['id']}" in dom
    assert f"modified: {campaign['modified']}" in dom
    assert dom.count('class="edge linked"') == len(linked)
    assert dom.count('class="node selected"') == 1
    assert proxy.page_requests() == []
