"""The documentation site in a real browser (Debian's Chromium, headless, driven by Selenium through Debian's
chromedriver; nothing is downloaded): pages render without console errors, every figure is visible with a size,
the search box finds entities by label and by synonym. Screenshots go to $IFNONTO_SCREENSHOTS if set."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from test_site import built_site  # noqa: F401  (the session's site, built once)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if os.environ.get("CI") != "true":   # in CI the setup script installs them: a missing browser is a failure there
    pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER and shutil.which("dot")),
                                    reason="chromium, chromedriver or Graphviz not installed")

PAGES = {   # what each screenshot shows, and the page
    "home": "index.html",
    "step": "step/cycle-step-2.html",
    "entity": "entity/IFNG.html",
    "query": "query/type-step-matrix.html",
    "cycle": "cycle.html",
    "types": "types.html",
}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1366,900", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(browser, site: Path, relative: str):
    browser.get((site / relative).resolve().as_uri())
    browser.get_log("browser")   # start each page with an empty console log ... (read again below)


def _console_errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_renders_with_visible_figures_and_no_console_error(browser, built_site, name):  # noqa: F811
    page = (built_site / PAGES[name]).resolve().as_uri()
    browser.get("about:blank")
    browser.get_log("browser")
    browser.get(page)
    browser.execute_script("return document.readyState")
    title = browser.title
    assert title.strip() and title.endswith("· ifn-cancer")
    images = browser.execute_script("""
        return Array.from(document.images).map(img => { img.scrollIntoView(); const r = img.getBoundingClientRect();
          return {src: img.getAttribute('src'), alt: img.alt, complete: img.complete, natural: img.naturalWidth,
                  width: r.width, height: r.height, shown: img.offsetParent !== null}; });""")
    if name in ("home", "entity", "cycle", "types"):
        assert images, f"{name} has no figure"
    for image in images:
        assert image["alt"].strip(), image
        assert image["complete"] and image["natural"] > 0, f"figure not loaded: {image}"
        assert image["width"] > 50 and image["height"] > 20 and image["shown"], f"figure not visible: {image}"
    assert _console_errors(browser) == []
    browser.execute_script("window.scrollTo(0, 0)")
    shot = browser.get_screenshot_as_png()
    assert len(shot) > 10_000
    folder = os.environ.get("IFNONTO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.png").write_bytes(shot)


def _search(browser, text: str) -> list[dict]:
    from selenium.webdriver.common.by import By

    box = browser.find_element(By.ID, "search")
    box.clear()
    box.send_keys(text)
    return browser.execute_script("""
        return Array.from(document.querySelectorAll('#search-results a')).map(a => ({href: a.getAttribute('href'),
            text: a.textContent}));""")


def test_search_finds_an_entity_by_label_and_by_synonym(browser, built_site):  # noqa: F811
    index_text = (built_site / "static" / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(index_text.split("=", 1)[1].rstrip().rstrip(";"))
    # an entity with a synonym that is not a part of its label (nor of another page's label)
    labels = {entry[0].lower() for entry in entries}
    label, synonym, url = next((e[0], s, e[2]) for e in entries if e[2].startswith("entity/") for s in e[1]
                               if s.lower() not in e[0].lower() and s.lower() not in labels and len(s) > 6)
    browser.get((built_site / "step" / "cycle-step-3.html").resolve().as_uri())
    by_label = _search(browser, label)
    assert by_label and by_label[0]["href"] == "../" + url, (label, by_label[:3])
    by_synonym = _search(browser, synonym)
    assert any(hit["href"] == "../" + url and "synonym" in hit["text"] for hit in by_synonym), (synonym, by_synonym[:5])
    ifng = _search(browser, "interferon gamma")
    assert any(hit["href"] == "../entity/IFNG.html" for hit in ifng)
    nothing = _search(browser, "zzqqxx-no-such-thing")
    assert nothing == []
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.common.by import By

    _search(browser, "IFN-γ")
    browser.find_element(By.ID, "search").send_keys(Keys.ENTER)
    assert browser.current_url.endswith("/entity/IFNG.html")
    assert _console_errors(browser) == []
