from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from westphalia.web import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [  # no background traffic: the machine has no internet (see the env notes)
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("WESTPHALIA_SCREENSHOTS", Path(__file__).parent / "artifacts"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(demo_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(demo_store), base_url="http://127.0.0.1:8000") as c:
        yield c


def test_health_and_openapi(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["events"] >= 90  # the demo codes 100 events
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/network",
        "/api/dyads/{a}/{b}",
        "/api/events",
        "/api/articles/{article_id}",
    } <= set(paths)


def test_dyad_endpoint(client: TestClient) -> None:
    report = client.get("/api/dyads/chn/pak").json()
    assert report["a"] == "CHN" and report["events"] == len(report["all_events"]) > 0
    assert report["months"] and report["domains"]


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/dyads/RUS/XYZ", 404, "E401"),
        ("/api/events?domain=bogus", 400, "E408"),
        ("/api/events?start=2025-05-01&end=2025-01-01", 400, "E403"),
        ("/api/events?limit=0", 422, "E422"),
        ("/api/events?code=drop%20table", 422, "E422"),
        ("/api/events?offset=9223372036854775808", 422, "E422"),  # 2**63 overflowed DuckDB: 500
        ("/api/events?offset=1000000001", 422, "E422"),
        ("/api/events?offset=-1", 422, "E422"),
        ("/api/events/ffffffff", 404, "E407"),
        ("/api/nothing-here", 404, "HTTP404"),
    ],
)
def test_errors_share_one_envelope(client: TestClient, url: str, status: int, code: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (status, code) and error["message"]


def test_search_by_actor_code_and_date(client: TestClient) -> None:
    events = client.get(
        "/api/events", params={"actor": "PAK", "root": "04", "start": "2025-02-01"}
    ).json()["events"]
    assert events and all(e["code"].startswith("04") and e["date"] >= "2025-02-01" for e in events)
    assert all("PAK" in (e["source"][:3], e["target"][:3]) for e in events)


def test_article_has_text_and_event_spans(client: TestClient) -> None:
    event = client.get("/api/events", params={"actor": "CHN", "limit": 1}).json()["events"][0]
    article = client.get(f"/api/articles/{event['article_id']}").json()
    (same,) = [e for e in article["events"] if e["id"] == event["id"]]
    trigger = article["text"][same["trigger_start"] : same["trigger_end"]]
    assert trigger and trigger in event["sentence"]


def test_store_is_read_only(client: TestClient, demo_store: Path) -> None:
    assert client.post("/api/events").status_code == 405
    settings = "current_setting('access_mode'), current_setting('enable_external_access')"
    con = client.app.state.con
    assert con.execute(f"SELECT {settings}").fetchone() == ("read_only", False)


def test_responses_show_no_server_paths(client: TestClient, demo_store: Path) -> None:
    health = client.get("/api/health")
    event = client.get("/api/events", params={"limit": 1}).json()["events"][0]
    article = client.get(f"/api/articles/{event['article_id']}")
    assert health.json()["store"] == demo_store.name
    assert "/" not in article.json()["source"] and article.json()["source"].endswith(".txt")
    for response in (health, article):
        assert str(demo_store.parent) not in response.text and "/tmp" not in response.text


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "127.0.0.1"]
)
def test_local_host_names_are_served(client: TestClient, host: str) -> None:
    assert client.get("/api/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", ""]
)
def test_other_host_names_are_refused(client: TestClient, host: str) -> None:
    """A DNS-rebinding page (evil.example re-pointed at 127.0.0.1) cannot read the store."""
    response = client.get("/api/health", headers={"Host": host})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "E409" and error["message"].startswith(
        f"This server does not answer to the host name '{host.split(':')[0]}'"
    )


def test_a_host_given_to_the_app_is_served(demo_store: Path) -> None:
    app = create_app(demo_store, hosts=["westphalia.lan"])
    with TestClient(app, base_url="http://westphalia.lan:8000") as other:
        assert other.get("/api/health").status_code == 200
        assert other.get("/", headers={"Host": "evil.example"}).status_code == 400


@pytest.mark.parametrize("url", ["/", "/static/app.js", "/api/health", "/api/nothing-here"])
def test_security_headers_on_every_response(client: TestClient, url: str) -> None:
    headers = client.get(url).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    policy = dict(d.strip().split(" ", 1) for d in headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in headers["content-security-policy"]


def test_dashboard_has_no_inline_script_or_style() -> None:
    """The CSP forbids them: everything lives in static/app.js and static/style.css."""
    from westphalia.web.assets import STATIC

    html = (STATIC / "index.html").read_text()
    assert "<style" not in html and " style=" not in html
    assert all("src=" in tag for tag in html.split("<script")[1:])
    assert not re.search(r"\son[a-z]+=", html)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_store: Path) -> Iterator[str]:
    """The real `westphalia serve` on the demo store, on a free local port."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "westphalia",
            "serve",
            "--store",
            str(demo_store),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/api/health", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"westphalia serve exited: {proc.stdout.read()}")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():  # .ci/run installs it; elsewhere: apt-get install chromium
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """The dashboard's overview, drawn; fails the test on any script or CSP error and on any
    request that fails (a favicon, a library or an API call answering 4xx or 5xx)."""
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # CSP
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("requestfailed", lambda r: errors.append(f"failed {r.url}"))
    page.goto(server + "/")
    page.wait_for_selector("#network canvas")
    page.wait_for_selector("#map path.has-events")
    yield page
    page.close()
    assert errors == [], "\n".join(errors)


VIEWPORT = {"width": 1400, "height": 1000}


def _in_viewport(page: Any, selector: str) -> bool:
    """The element is shown and its top is on the first screen (the page is not scrolled)."""
    box = page.locator(selector).bounding_box()
    return (
        page.locator(selector).is_visible()
        and box is not None
        and 0 <= box["y"] < VIEWPORT["height"] / 3
        and page.evaluate("window.scrollY") == 0
    )


def test_a_network_edge_opens_its_dyad_at_the_top_and_back_returns(page: Any) -> None:
    network = page.locator("#network")
    assert page.evaluate("window.westphaliaNetwork.nodes().length") > 10
    assert page.evaluate("window.westphaliaLabelOverlaps()") == 0  # no label over another
    page.screenshot(path=SCREENSHOTS / "dashboard-overview.png", full_page=True)
    # hovering an edge shows the dyad's counts ("void": emit returns the element, and
    # Playwright serializing a Cytoscape element walks the whole graph, 3 GB of the page's
    # heap: the renderer ran out of memory in about one run in six)
    page.evaluate("void window.westphaliaNetwork.getElementById('CHN-PAK').emit('mouseover')")
    assert re.search(
        r"CHN–PAK: \d+ events \(\d+ cooperation, \d+ conflict\)", page.inner_text("#tip")
    )
    page.evaluate("void window.westphaliaNetwork.getElementById('CHN-PAK').emit('mouseout')")
    assert page.locator("#tip").is_hidden()
    # clicking it opens the dyad view at the top of the page, the overview out of the way
    network.scroll_into_view_if_needed()
    page.evaluate("void window.westphaliaNetwork.getElementById('CHN-PAK').emit('tap')")
    page.wait_for_selector("#dyad-events tbody tr[data-event]")
    assert page.url.endswith("#/dyad/CHN/PAK")
    assert _in_viewport(page, "#dyad") and "China (CHN)" in page.inner_text("#dyad-title")
    assert page.locator("#overview").is_hidden() and page.locator("#dyad-chart").is_visible()
    assert page.input_value("#share") == page.url  # the link to copy
    # the chart's months run on a time axis: every month from the first to the last
    months = page.evaluate("window.westphaliaChartMonths")
    steps = {
        (int(b[:4]) * 12 + int(b[5:])) - (int(a[:4]) * 12 + int(a[5:]))
        for a, b in zip(months, months[1:], strict=False)
    }
    assert len(months) > 3 and steps == {1}
    page.screenshot(path=SCREENSHOTS / "dashboard-dyad.png")
    page.go_back()
    page.wait_for_selector("#overview:not([hidden])")
    assert page.locator("#dyad").is_hidden() and page.locator("#viewbar").is_hidden()
    page.go_forward()
    page.wait_for_selector("#dyad:not([hidden])")
    assert "China (CHN)" in page.inner_text("#dyad-title")


def test_a_map_country_filters_the_events(page: Any) -> None:
    assert page.locator("#map path.country").count() > 150  # every country drawn, offline
    assert page.locator("#map circle.place").count() > 3  # event locations as points
    page.screenshot(path=SCREENSHOTS / "dashboard-map.png")
    page.click("#map path[data-code=PAK]")
    page.wait_for_selector("#result-events tbody tr[data-event]")
    assert page.url.endswith("#/events?actor=PAK") and _in_viewport(page, "#results")
    sides = page.locator("#result-events tbody tr[data-event]").evaluate_all(
        "rows => rows.map(r => [r.cells[1].textContent, r.cells[2].textContent])"
    )
    assert sides and all("PAK" in (s[:3], t[:3]) for s, t in sides)
    # the map follows the filter: the countries of those events only
    page.wait_for_function("document.querySelectorAll('#map path.has-events').length < 10")
    coloured = page.locator("#map path.has-events").evaluate_all(
        "paths => paths.map(p => p.dataset.code)"
    )
    assert "PAK" in coloured and "ETH" not in coloured
    page.select_option("#map-colour", "goldstein")
    assert (
        page.locator("#map path[data-code=PAK]").get_attribute("fill").startswith("rgba(26,127,55")
    )
    page.screenshot(path=SCREENSHOTS / "dashboard-events.png", full_page=True)


def test_an_article_shows_its_highlighted_spans_and_search_narrows(page: Any) -> None:
    page.click("button.dyad-link[data-dyad='CHN-PAK']")
    page.wait_for_selector("#dyad-events tbody tr[data-event]")
    page.locator("#dyad-events a.article-link").first.click()
    page.wait_for_selector("#article-text mark.trigger")
    assert _in_viewport(page, "#article-title")
    for span in ("mark.source", "mark.target", "mark.trigger", "span.mention"):
        assert page.locator(f"#article-text {span}").count() > 0, span
    page.screenshot(path=SCREENSHOTS / "dashboard-article.png")
    page.fill("#search input[name=actor]", "RUS")
    page.fill("#search input[name=code]", "062")
    page.click("#search button")
    page.wait_for_selector("#result-events tbody tr[data-event]")
    codes = page.locator("#result-events tbody tr[data-event] td:nth-child(4)").all_inner_texts()
    assert codes and all(c.startswith("062") for c in codes)


def test_map_endpoint(client: TestClient) -> None:
    everything = client.get("/api/map").json()
    (pakistan,) = [c for c in everything["countries"] if c["code"] == "PAK"]
    assert pakistan["numeric"] == "586" and pakistan["events"] > 5
    assert all(-90 <= p["lat"] <= 90 and -180 <= p["lon"] <= 180 for p in everything["places"])
    assert {p["name"] for p in everything["places"]} >= {"Islamabad, Pakistan"}
    narrowed = client.get("/api/map", params={"actor": "PAK"}).json()
    assert len(narrowed["countries"]) < len(everything["countries"])
    assert client.get("/api/map", params={"code": "x"}).status_code == 422
