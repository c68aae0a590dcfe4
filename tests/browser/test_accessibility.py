"""Accessibility (RGAA, on WCAG 2.1 A and AA) in the real browser: axe-core, pinned in
package.json and installed by `make test` with npm, runs on every page of the demo, on what
a real database shows before sign-in (first administrator, sign-in form) and on its
Importer, and finds no violation; the keyboard alone reaches every control of the Synthèse
and of the Importer.

Skipped, with the reason printed by `pytest -ra`, when axe-core is not installed (npm
absent) or Chromium is absent."""

from __future__ import annotations

import re

import pytest

from auth.accounts import create_account
from dashboard.registry import HOME, PAGES
from store.db import init_db, make_engine
from tests.browser.conftest import AXE, CHROMIUM, sign_in, streamlit_server

pytestmark = pytest.mark.browser
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Streamlit internals axe flags that neither the theme nor the app's code can change; each
# excluded selector is as narrow as possible, with the reason. Nothing is disabled globally.
# (None so far: the theme's text colour fixed every contrast axe found.)
EXCLUDED: list[str] = []
# Faults of our own code waiting for their fix, each excluded by its precise selector, and
# only while it still matches something: once fixed, the test says to remove the entry.
PENDING: dict[str, list[str]] = {
    # page -> selectors of known faults awaiting a fix in code this test does not own
    # (each entry fails once its fault is gone, so that it is removed)
}
CHARTS = '[data-testid="stPlotlyChart"]'  # drawn after the run ends: waited for
MAX_TABS = 200
ACCOUNT = "claire@cd59.fr"
PASSWORD = "mot de passe de la chargée de projet"


@pytest.fixture(scope="module")
def axe_script():
    if not AXE.exists():
        pytest.skip("axe-core absent : test d'accessibilité ignoré (npm ci, ou make test)")
    return str(AXE)


def _empty_database(directory) -> str:
    url = f"sqlite:///{directory / 'reel.db'}"
    engine = make_engine(url)
    init_db(engine)
    engine.dispose()
    return url


@pytest.fixture
def empty_server(tmp_path):
    """A server on a new, empty database (not the demo): nobody has an account yet."""
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    with streamlit_server(_empty_database(tmp_path)) as base:
        yield base


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    """A server on a database that is not the demo, with one administrator's account:
    every address shows the sign-in form until she signs in."""
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    url = _empty_database(tmp_path_factory.mktemp("reel"))
    engine = make_engine(url)
    create_account(engine, ACCOUNT, "admin", password=PASSWORD)
    engine.dispose()
    with streamlit_server(url) as base:
        yield base


@pytest.fixture(scope="module")
def demo_app(demo_server, browser):
    """The demo server, its home page opened once: until a session has run the app's
    `st.navigation`, Streamlit serves an address such as /entonnoir with a menu of the raw
    file names of pages/ (seen with Streamlit 1.67); the test is about the real menu."""
    page = browser.new_page()
    page.goto(demo_server)
    page.get_by_role("heading", name=PAGES[0].title).first.wait_for(timeout=60_000)
    page.close()
    return demo_server


def _new_page(browser):
    return browser.new_page(viewport={"width": 1400, "height": 1000}, locale="fr-FR")


def _url_path(stem: str) -> str:
    """The address st.navigation gives a page: its file stem; the default page is '/'."""
    return "" if stem == HOME else stem


# True once the script has finished its run, every element is drawn and the page has not
# changed for half a second. Streamlit loads the code of most elements on demand and shows a
# skeleton meanwhile: « not running » may come seconds before the select boxes, tiles and
# download buttons are there (seen on the Synthèse, on a loaded machine).
QUIET_JS = """() => {
  if (!window.a11yWatch) {
    window.a11yWatch = true;
    window.a11yChanged = performance.now();
    new MutationObserver(() => { window.a11yChanged = performance.now(); }).observe(
      document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  }
  const app = document.querySelector('[data-testid="stApp"]');
  return app?.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"]')
    && performance.now() - window.a11yChanged > 500;
}"""


def _settled(page, heading: str | None) -> None:
    """Wait until the page's title (or any title) is shown, the script has finished its run,
    the page has stopped changing and charts have painted."""
    title = page.locator("h1") if heading is None else page.get_by_role("heading", name=heading)
    title.first.wait_for(timeout=60_000)
    page.wait_for_function(QUIET_JS, polling=100, timeout=60_000)
    charts = page.locator(CHARTS)
    for i in range(charts.count()):
        charts.nth(i).locator(".main-svg").first.wait_for(timeout=30_000)


def _axe(page, script: str, exclude: list[str]) -> list[dict]:
    page.add_script_tag(path=script)
    return page.evaluate(
        """([tags, exclude]) => axe.run(
            exclude.length ? {exclude: exclude} : document,
            {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}
        ).then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({
                target: n.target.join(' '),
                html: n.html.slice(0, 160),
                summary: (n.failureSummary || '').slice(0, 200),
            })),
        })))""",
        [TAGS, exclude],
    )


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}) : {v['help']}")
        for n in v["nodes"][:8]:
            lines.append(f"    {n['target']}\n      {n['html']}\n      {n['summary']}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … et {len(v['nodes']) - 8} autres")
    return "\n".join(lines)


def _count(violations: list[dict]) -> int:
    return sum(len(v["nodes"]) for v in violations)


def _assert_passes(page, script: str, what: str) -> None:
    pending = PENDING.get(what, [])
    for selector in pending:
        assert page.locator(selector).count(), (
            f"{what} : « {selector} » ne désigne plus rien, le défaut est corrigé : retirer "
            "l'entrée de PENDING (tests/browser/test_accessibility.py)"
        )
    violations = _axe(page, script, EXCLUDED + pending)
    assert not violations, f"{what} : {_count(violations)} éléments en défaut\n" + _report(
        violations
    )


def _sign_in(page, base: str) -> None:
    page.goto(base)
    _settled(page, "Connexion")
    sign_in(page, ACCOUNT, PASSWORD)
    page.get_by_role("heading", name=PAGES[0].title).first.wait_for(timeout=60_000)


def _open(page, title: str) -> None:
    """Go to a page through the menu (as a person would, in the same session)."""
    page.locator('[data-testid="stSidebarNavLink"]', has_text=title).first.click()
    _settled(page, title)


@pytest.mark.parametrize("declared", PAGES, ids=[p.stem for p in PAGES])
def test_every_demo_page_passes_axe(axe_script, demo_app, browser, declared):
    page = _new_page(browser)
    page.goto(f"{demo_app}/{_url_path(declared.stem)}")
    _settled(page, declared.title)
    _assert_passes(page, axe_script, declared.title)
    page.close()


def test_the_first_administrator_page_passes_axe(axe_script, empty_server, browser):
    """A new database: the page it opens on (the first administrator's form)."""
    page = _new_page(browser)
    page.goto(empty_server)
    _settled(page, None)
    _assert_passes(page, axe_script, page.locator("h1").first.inner_text())
    page.close()


def test_sign_in_and_the_importer_pass_axe(axe_script, real_server, browser):
    """A real database: the sign-in form, then the Importer with its file drop zone (on
    the demo, the Importer only offers to leave demo mode)."""
    page = _new_page(browser)
    page.goto(real_server)
    _settled(page, "Connexion")
    assert page.get_by_label("Mot de passe").is_visible()
    _assert_passes(page, axe_script, "Connexion")
    _sign_in(page, real_server)
    _open(page, "Importer")
    page.locator('[data-testid="stFileUploader"]').wait_for()
    _assert_passes(page, axe_script, "Importer (connecté)")
    page.close()


# Every control a person may need: the keyboard must reach each one, or its group (one
# stop per radio group or tab list: arrows move inside, as in any desktop app).
CONTROLS_JS = """() => {
  const areas = document.querySelectorAll(
    '[data-testid="stSidebar"], [data-testid="stMain"]');
  const selector = 'a[href], button, input, select, textarea, summary, [tabindex],'
    + ' [role="combobox"], [role="tab"], [role="radio"], [role="checkbox"], [role="switch"],'
    + ' [role="slider"], [role="spinbutton"]';
  const shown = (el) => {
    const target = el.closest('label') || el;
    const box = target.getBoundingClientRect();
    const style = getComputedStyle(target);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
      && !el.closest('[aria-hidden="true"], [inert]');
  };
  let next = 0;
  const controls = [];
  for (const area of areas) {
    for (const el of area.querySelectorAll(selector)) {
      if (el.disabled || el.type === 'hidden' || !shown(el)) continue;
      // Left out of the tab order on purpose: a select box's « Open » arrow (the box
      // itself opens with the arrow keys), a grid's wrapper (its canvas is reached).
      if (el.tabIndex < 0 && !el.closest('[role="radiogroup"], [role="tablist"]')) continue;
      // The file input is reached through its own button of the drop zone.
      if (el.type === 'file') continue;
      const group = el.closest('[role="radiogroup"], [role="tablist"]') || el;
      if (!group.dataset.a11yControl) {
        group.dataset.a11yControl = String(next++);
        const label = (group.getAttribute('aria-label') || group.innerText
          || el.getAttribute('aria-label') || el.closest('[data-testid]')?.innerText || '')
          .trim().replace(/\\s+/g, ' ').slice(0, 60);
        const kind = el.closest('[data-testid]')?.dataset.testid || el.tagName;
        const within = [];
        for (let up = el; up; up = up.parentElement) {
          if (up.dataset && up.dataset.testid) within.push(up.dataset.testid);
        }
        controls.push({id: group.dataset.a11yControl, name: `${kind} « ${label} »`, within});
      }
    }
  }
  return controls;
}"""
# The control that has the focus (or its group), and a number given to the focused element
# the first time it is seen: coming back to the first one ends the walk.
FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  if (!el.dataset.a11ySeen) {
    window.a11ySeen = (window.a11ySeen || 0) + 1;
    el.dataset.a11ySeen = String(window.a11ySeen);
  }
  const marked = el.closest('[data-a11y-control]');
  return {control: marked ? marked.dataset.a11yControl : null, seen: el.dataset.a11ySeen};
}"""


def _walk(page, expected: tuple[str, ...]) -> None:
    """Press Tab until every control has had the focus (or the focus is back where it
    started, or MAX_TABS presses); fail with those never reached."""
    controls = page.evaluate(CONTROLS_JS)
    # The kinds of control the page must have among those found, so that a change of
    # Streamlit's markup cannot empty the list unnoticed.
    found = {testid for c in controls for testid in c["within"]}
    assert set(expected) <= found, sorted(found)
    reached: set[str] = set()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None:
            continue
        if focused["seen"] == "1" and reached:
            break  # back to the first element focused: the whole cycle has been walked
        if focused["control"] is not None:
            reached.add(focused["control"])
        if all(c["id"] in reached for c in controls):
            break
    missing = [c["name"] for c in controls if c["id"] not in reached]
    assert not missing, "Jamais atteints au clavier :\n" + "\n".join(missing)


def test_the_keyboard_reaches_every_control_of_the_synthesis(demo_app, browser):
    page = _new_page(browser)
    page.goto(demo_app)
    _settled(page, "Synthèse")
    _walk(page, ("stSidebarNavLink", "stDateInput", "stSelectbox", "stDownloadButton"))
    page.close()


def test_the_keyboard_reaches_every_control_of_the_importer(real_server, browser):
    page = _new_page(browser)
    _sign_in(page, real_server)
    _open(page, "Importer")
    page.locator('[data-testid="stFileUploader"]').wait_for()
    _walk(page, ("stSidebarNavLink", "stFileUploader"))
    page.close()


def test_axe_reports_a_known_violation(axe_script, browser):
    """The harness itself: a page with a low-contrast text does fail."""
    page = browser.new_page()
    page.set_content(
        '<html lang="fr"><head><title>t</title></head><body><main>'
        '<p style="color:#bbb;background:#fff">Texte pâle</p></main></body></html>'
    )
    violations = _axe(page, axe_script, [])
    page.close()
    assert [v["id"] for v in violations] == ["color-contrast"]
    assert re.search(r"Texte pâle", violations[0]["nodes"][0]["html"])
