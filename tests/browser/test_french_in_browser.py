"""No English from Streamlit reaches a user: in headless Chromium, an administrator, a
direction reader and an association's user each visit every page of their menu, open a
select box, the date input's calendar and its ready-made periods, hover a chart's and a
table's toolbar, open the table's search and a column's menu; the administrator also
opens an address that does not exist, and the administrator and the association choose a
file on the Importer; the direction reader's browser is set to English.
Everything drawn along the way, even for an instant (a MutationObserver records it), is
read: the texts, and the title, aria-label, placeholder… that a tooltip or a screen reader
gives; a list of English words must appear nowhere. Data cells are not read.

One server for the whole module (python -m dashboard.server, the translated Streamlit),
each person signed in once; its log must not hold Streamlit's « No runtime found » warning
nor a text of the translation table it could not find."""

from __future__ import annotations

import json
import re

import pytest

from auth.accounts import create_account
from auth.roles import Role
from store.db import make_engine
from tests.browser.conftest import CHROMIUM, demo_database, streamlit_server
from tests.helpers import csv_bytes

pytestmark = pytest.mark.browser

# What Streamlit, react-aria, glide-data-grid and plotly.js write in English, as a person
# would meet it (case counts: « Pan » is English, « Panneau » is not).
ENGLISH = [
    "Upload", "Browse files", "Drag and drop", "per file", "Select", "Selected", "Choose",
    "No results", "available", "Skip to main content", "Show/hide columns", "Search",
    "Fullscreen", "Download", "Zoom", "Pan", "Reset", "Autoscale", "Page not found",
    "Running", "Stop", "Rerun", "Deploy", "Settings", "Clear", "Date range", "start date",
    "end date", "month", "Past", "Previous", "Next", "Help", "Link to heading", "Open",
    "Close", "Dismiss", "Copy", "Sidebar", "Collapse", "Expand", "App pages", "Increment",
    "Decrement", "password", "Remove", "Cancel", "file upload", "Error", "Connecting",
    "Streamlit", "Ask Google", "ChatGPT", "Sort", "Hide", "Statistics", "result", "KB",
    "MB",
]  # fmt: skip
# A word is not part of a longer one (letters around it), digits aside: « 13.6KB ».
ENGLISH_WORDS = re.compile(r"(?<![^\W\d_])(" + "|".join(map(re.escape, ENGLISH)) + r")(?![^\W\d_])")
ACCOUNTS = {
    Role.ADMIN: ("claire@cd59.fr", "mot de passe de la chargée de projet", None),
    Role.DIRECTION: ("direction@cd59.fr", "mot de passe de la direction", None),
    Role.ASSOCIATION: ("envol@asso.fr", "mot de passe de l'association", "Envol Mentorat Nord"),
}
# The direction reader's browser is in English: the page is French all the same.
BROWSER_LANGUAGE = {Role.ADMIN: "fr-FR", Role.DIRECTION: "en-US", Role.ASSOCIATION: "fr-FR"}
# Read attributes: what a tooltip shows (title, plotly's data-title) and what a screen
# reader says instead of, or besides, the text.
ATTRIBUTES = [
    "title", "data-title", "aria-label", "aria-description", "aria-roledescription",
    "aria-valuetext", "aria-placeholder", "placeholder", "alt",
]  # fmt: skip
# Every text and read attribute ever added to the page, from its first byte: a tooltip, a
# menu, the « running » indicator are gone by the time a test looks. Not read: scripts and
# styles, icons (Material Symbols ligatures such as « info », marked translate="no") and
# data cells (the grid's own cells, for screen readers).
RECORDER = """
(() => {
  const seen = new Set();
  window.frenchSeen = seen;
  const ATTRIBUTES = NAMES;
  const SKIP = 'script, style, noscript, [translate="no"], [role="gridcell"]';
  const skipped = (el) => !el || el.closest(SKIP) !== null;
  const note = (where, text) => {
    text = (text || '').trim();
    if (text) seen.add(where + '\\t' + text.replace(/\\s+/g, ' '));
  };
  const record = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      if (!skipped(node.parentElement)) note('texte', node.nodeValue);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE || skipped(node)) return;
    for (const name of ATTRIBUTES) note(name, node.getAttribute(name));
    node.childNodes.forEach(record);
  };
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === 'childList') change.addedNodes.forEach(record);
      else if (change.type === 'characterData') record(change.target);
      else if (!skipped(change.target)) {
        note(change.attributeName, change.target.getAttribute(change.attributeName));
      }
    }
  }).observe(document, {subtree: true, childList: true, characterData: true,
                        attributes: true, attributeFilter: ATTRIBUTES});
  document.addEventListener('DOMContentLoaded', () => record(document.documentElement));
})();
""".replace("NAMES", json.dumps(ATTRIBUTES))
QUIET = """() => {
  if (!window.frenchWatch) {
    window.frenchWatch = true;
    window.frenchChanged = performance.now();
    new MutationObserver(() => { window.frenchChanged = performance.now(); }).observe(
      document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  }
  const app = document.querySelector('[data-testid="stApp"]');
  return app?.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"]')
    && performance.now() - window.frenchChanged > 400;
}"""
MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'


def english(text: str) -> list[str]:
    return ENGLISH_WORDS.findall(text)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Chromium absent : tests navigateur ignorés (apt-get install chromium)")
    directory = tmp_path_factory.mktemp("francais")
    url = demo_database(directory)
    engine = make_engine(url)
    for role, (identifiant, password, association) in ACCOUNTS.items():
        create_account(engine, identifiant, role, association=association, password=password)
    engine.dispose()
    log = directory / "serveur.log"
    with streamlit_server(url, log=log) as base:
        yield base, log


@pytest.fixture(scope="module")
def found():
    """(role, page, where, text) of every English word met, across the module's tests."""
    return []


def _settled(page) -> None:
    page.wait_for_function(QUIET, polling=100, timeout=60_000)


def _signed_in(browser, base: str, role: Role):
    """A page of a new browser context, `role`'s person signed in. Through a proxy (a
    forwarded-for header): on this machine the demo database opens without sign-in."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000},
        locale=BROWSER_LANGUAGE[role],
        extra_http_headers={"X-Forwarded-For": "203.0.113.9"},
    )
    context.add_init_script(RECORDER)
    page = context.new_page()
    page.goto(base)
    page.get_by_role("heading", name="Connexion", exact=True).wait_for(timeout=60_000)
    identifiant, password, _ = ACCOUNTS[role]
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Synthèse", exact=True).first.wait_for(timeout=60_000)
    _settled(page)
    return page


def _collect(page, found: list, role: Role, where: str) -> None:
    for entry in page.evaluate("() => Array.from(window.frenchSeen)"):
        kind, text = entry.split("\t", 1)
        for word in english(text):
            found.append((role.value, where, kind, word, text[:100]))
    page.evaluate("() => window.frenchSeen.clear()")


def _open_and_close(page, locator) -> None:
    """Open a control (a list, a calendar, a menu), let it draw, close it."""
    if locator.count() and locator.first.is_visible():
        locator.first.click()
        page.wait_for_timeout(250)
        page.keyboard.press("Escape")


def _use_widgets(page, where: str) -> None:
    """What a person opens in `where` (the page's main part, or the sidebar): a select box
    (with a search that finds nothing), a multiselect, the date input's calendar and
    ready-made periods, a chart's toolbar, a table's toolbar and its search."""
    boxes = page.locator(f'{where} [data-testid="stSelectbox"]')
    if boxes.count():
        boxes.first.click()
        page.wait_for_timeout(200)
        page.keyboard.type("zzzz")
        page.wait_for_timeout(250)
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
    _open_and_close(page, page.locator(f'{where} [data-testid="stMultiSelect"] [role="combobox"]'))
    dates = page.locator(f'{where} [data-testid="stDateInput"]')
    _open_and_close(page, dates.locator('button[aria-haspopup="dialog"]'))
    _open_and_close(page, dates.locator('[data-testid="stDateInputQuickSelect"] button'))
    charts = page.locator(f'{where} [data-testid="stPlotlyChart"]')
    if charts.count():
        charts.first.locator(".main-svg").first.wait_for(timeout=30_000)
        charts.first.scroll_into_view_if_needed()
        charts.first.hover()
        buttons = charts.first.locator(".modebar-btn")
        for i in range(buttons.count()):
            buttons.nth(i).hover()
    grids = page.locator(f'{where} [data-testid="stDataFrame"]')
    if grids.count():
        grids.first.scroll_into_view_if_needed()
        grids.first.hover()  # draws its toolbar
        search = grids.first.locator(
            '[data-testid="stElementToolbar"] :is(button[aria-label="Search"], '
            'button[aria-label="Rechercher"])'
        )
        if search.count():  # opens the search bar, then closes it
            search.first.dispatch_event("click")
            page.wait_for_timeout(300)
            page.keyboard.press("Escape")
    page.mouse.move(0, 0)


def _open_a_column_menu(page) -> None:
    """The menu of a table's first column (sort, statistics, format, pin, hide), and its
    sub-menus. The grid is drawn on a canvas: the menu's button, at the right end of the
    header, is found by clicking along the header (a click beside it sorts the table)."""
    grid = page.locator(f'{MAIN} [data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    menu = page.locator('[data-testid="stDataFrameColumnMenu"]')
    for dx in range(60, min(int(box["width"]), 420), 6):
        page.mouse.move(box["x"] + dx, box["y"] + 17)
        page.mouse.click(box["x"] + dx, box["y"] + 17)
        if menu.count():
            break
    assert menu.count(), "menu de colonne introuvable"
    submenus = menu.locator('[aria-haspopup="true"]')
    for i in range(submenus.count()):
        submenus.nth(i).hover()
        page.wait_for_timeout(300)
    page.keyboard.press("Escape")
    page.mouse.move(0, 0)


def _choose_a_file(page) -> None:
    """A CSV export chosen on the Importer: the file's line (name, size), the check report."""
    header = ["N° dossier", "Nom", "Prénom", "Né(e) le", "Commune de résidence", "CP"]
    header += ["Date d'inscription"]
    row = ["Testeur", "Aline", "03/04/2010", "Lille", "59000", "03/04/2025"]
    rows = [[f"FR-{i}", *row] for i in range(300)]  # ≈ 13 Ko: the size is written in Ko
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "essai.csv", "mimeType": "text/csv", "buffer": csv_bytes([header, *rows])}]
    )
    page.locator('[data-testid="stFileChip"]').first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    _settled(page)


def _menu(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNavLink"]')
    return [links.nth(i).inner_text().splitlines()[-1] for i in range(links.count())]


@pytest.mark.parametrize("role", list(ACCOUNTS), ids=[r.value for r in ACCOUNTS])
def test_every_page_of_the_menu_reads_in_french(server, browser, found, role):
    base, _ = server
    page = _signed_in(browser, base, role)
    _collect(page, found, role, "connexion")
    titles = _menu(page)
    assert "Synthèse" in titles and len(titles) >= 10, titles
    _use_widgets(page, SIDEBAR)  # the filters: the same on every page
    _open_a_column_menu(page)  # the Synthèse has a table
    for title in titles:
        page.locator('[data-testid="stSidebarNavLink"]', has_text=title).first.click()
        page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
        _settled(page)
        _use_widgets(page, MAIN)
        if title == "Importer":
            _choose_a_file(page)
        _collect(page, found, role, title)
    if role is Role.ADMIN:  # an address that is no page: Streamlit's « page not found »
        page.goto(f"{base}/nexistepas")
        page.get_by_role("dialog").first.wait_for(timeout=60_000)
        _settled(page)
        _collect(page, found, role, "/nexistepas")
    page.context.close()
    first_seen: dict[tuple[str, str], str] = {}  # (attribute or « texte », text) -> page
    for who, where, kind, _, text in found:
        if who == role.value:
            first_seen.setdefault((kind, text), where)
    assert not first_seen, "Anglais à l'écran (page | où | texte) :\n" + "\n".join(
        f"{where} | {kind} | {text}" for (kind, text), where in sorted(first_seen.items())[:60]
    )


def test_the_server_log_is_clean(server):
    """After every page of every role: no « No runtime found, using
    MemoryCacheStorageManager » (a cached function defined or called before Streamlit's
    runtime exists), no text of the translation table left untranslated."""
    _, log = server
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    assert not [line for line in lines if "No runtime found" in line], lines
    assert not [line for line in lines if "Streamlit interface" in line], lines


def test_the_scan_sees_what_it_looks_for():
    assert english("Drag and drop files here") == ["Drag and drop"]
    assert english("Limit 50MB per file • XLSX") == ["MB", "per file"]
    assert english("Choose an option") == ["Choose"]
    assert english("essai.csv, 13.6KB") == ["KB"] and english("50 MB") == ["MB"]
    assert not english("Glissez-déposez les fichiers ici · 50 Mo par fichier · 13,6 Ko")
    assert not english("Panneau, Sélectionner, Réinitialiser, Statistiques, Précédent")
