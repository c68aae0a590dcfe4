"""A new tab's first figure drawn without waiting for the charts' scripts.

Streamlit's frontend loads the script of each element type (a tile, a list, a chart) with
`React.lazy`, on the first element of that type: the element first renders a skeleton, and
React 18 holds back the commit that replaces skeletons while another element of the page is
still waiting for its script (it reveals them at most every 500 ms). A steering page draws
some ten element types; the tiles of Synthèse waited for the last of them, and for the
plotly chart's script (4.6 MB, 0.5 to 0.9 s to evaluate on the 2-core machine) evaluated
before the tiles could be painted: 2.9 to 3.4 s in all against 1.2 to 1.7 s for a
one-figure page (bench/pages.py, « Visite dans Chromium »).

At server start (through `streamlit_fr.translate`), two changes to the served copy of
Streamlit's static files:
- the scripts of the light elements a first screen needs at once (`ELEMENTS`: the tiles)
  are fetched with the page (`modulepreload`) and evaluated right after the main bundle;
  each module is kept in `globalThis.__pilotageElements` as a thenable that calls back at
  once, and the main bundle's lazy loader of that element looks there first: React gets
  the module synchronously and draws the element in the same pass. A module not yet there
  (a slow network) takes Streamlit's usual path;
- every other lazy element (lists, plotly, tables, maps…) starts loading only after the
  next frame is drawn (at most 200 ms later in a background tab): its skeleton shows, the
  tiles are painted, then it comes.

Only what a first figure needs is listed: evaluating every light element at load (38
scripts) delayed the connection to the server by more than it saved. An element whose
loading needs a stylesheet stays lazy (Streamlit's preload helper injects it).
tests/test_static_preload.py checks that the installed bundle has the shape relied on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# Chunk names (a script's file name without its content hash) of the light elements every
# page's first screen needs at once: the tiles, and the <html lang="fr"> app.py injects.
# Measured (bench/pages.py, alternate visits, 8 each): adding the sidebar's lists and date
# box (Selectbox, DateInput: 390 KB of script) made the first figure later, not sooner:
# fetched and compiled with the main bundle, they delayed it and the connection.
ELEMENTS = ("Metric", "Html")
REGISTRY = "__pilotageElements"  # the global the loader fills and the lazy loaders read
# Resolved once the next frame is drawn, or after 200 ms in a tab that draws no frame (a
# tab opened in the background: requestAnimationFrame waits until it is shown).
AFTER_PAINT = "new Promise((r)=>{requestAnimationFrame(()=>setTimeout(r));setTimeout(r,200)})"

_IMPORTED = re.compile(r'(?:from|import)\s*"\./([\w.\-]+\.js)"')
# A lazy element in Streamlit's main bundle (vite + rolldown output):
#   (0,U.lazy)(()=>H(()=>import(`./Metric.MSVuxtnf.js`),__vite__mapDeps([106,1,…]),…)
_LAZY = re.compile(
    r"lazy\)\(\(\)=>(?P<call>[\w$]+\(\(\)=>import\(`\./(?P<file>[\w.\-]+\.js)`\),"
    r"__vite__mapDeps\(\[(?P<deps>[\d,]*)\]\))"
)
_DEP_FILES = re.compile(r"m\.f=\[(?P<files>[^\]]*)\]")
_MAIN = re.compile(r'<script type="module" crossorigin src="\./static/js/([\w.\-]+\.js)"></script>')


def closure(scripts: Path, files: list[str]) -> list[str]:
    """`files` and every script they import, directly or not (static imports only), in a
    stable order; names missing from `scripts` are left out."""
    todo, seen = list(files), []
    while todo:
        name = todo.pop(0)
        if name in seen or not (scripts / name).is_file():
            continue
        seen.append(name)
        source = (scripts / name).read_text(encoding="utf-8")
        todo += [found for found in _IMPORTED.findall(source) if found not in seen]
    return seen


def main_script(index_html: str) -> str | None:
    """The file name of the main bundle's entry script in index.html."""
    found = _MAIN.search(index_html)
    return found.group(1) if found else None


def lazy_elements(main_source: str) -> dict[str, list[str]]:
    """The element scripts the main bundle loads with `React.lazy`: file name -> the files
    Streamlit's preload helper loads with it (scripts and stylesheets)."""
    listed = _DEP_FILES.search(main_source)
    dep_files = json.loads(f"[{listed.group('files')}]") if listed else []
    return {
        lazy["file"]: [
            dep_files[int(i)] for i in lazy["deps"].split(",") if i and int(i) < len(dep_files)
        ]
        for lazy in _LAZY.finditer(main_source)
    }


def chunk_name(file: str) -> str:
    """A script's name without its content hash: Metric.MSVuxtnf.js -> Metric (also
    streamlit_fr's name of a chunk)."""
    return file.rsplit(".", 2)[0]


def patch_main(main_source: str, files: list[str]) -> str:
    """The main bundle with the lazy loaders of `files` reading the registry first, and the
    others waiting for the next frame to be drawn before they import their script."""

    def patched(lazy: re.Match) -> str:
        if lazy["file"] in files:
            first = f"globalThis.{REGISTRY}?.[`./{lazy['file']}`]||{lazy['call']}"
            return lazy[0].replace(lazy["call"], first, 1)
        load = f"()=>import(`./{lazy['file']}`)"
        return lazy[0].replace(load, f"()=>{AFTER_PAINT}.then({load})", 1)

    return _LAZY.sub(patched, main_source)


@dataclass(frozen=True)
class Eager:
    """What index.html needs: the light element scripts and every script they import."""

    elements: list[str]  # the element scripts evaluated with the page
    fetched: list[str]  # those and the scripts they import, beyond the main bundle's
    problems: list[str]  # the names of ELEMENTS the bundle does not have (in French)


def plan(scripts: Path, main: str, main_source: str, names=ELEMENTS) -> Eager:
    """The scripts of the elements `names` (chunk names) to evaluate with the page, beside
    the main bundle `main` (its file name in `scripts`) whose source is `main_source`, and
    what is missing: a name the bundle does not load lazily, or whose loading needs a
    stylesheet (Streamlit's preload helper injects those; they stay lazy)."""
    lazies = lazy_elements(main_source)
    elements, missing = [], []
    for name in names:
        files = [f for f in lazies if chunk_name(f) == name]
        if len(files) != 1 or any(not dep.endswith(".js") for dep in lazies[files[0]]):
            missing.append(f"{main} : élément « {name} » introuvable ou avec feuille de style")
            continue
        elements.append(files[0])
    loaded = set(closure(scripts, [main]))
    fetched = [f for f in closure(scripts, elements) if f not in loaded]
    return Eager(elements, fetched, missing)


def with_loader(index_html: str, eager: Eager, served_as: str) -> str:
    """index.html with the light element scripts fetched with the page and evaluated right
    after the main bundle (a module script placed after it runs after it); `served_as` is
    the scripts' folder relative to index.html."""
    if not eager.elements or "</head>" not in index_html:
        return index_html
    links = [
        f'<link rel="modulepreload" crossorigin href="{served_as}/{name}">'
        for name in eager.fetched
    ]
    addresses = {f"./{name}": f"{served_as}/{name}" for name in eager.elements}
    loader = (
        '<script type="module">'
        f"const ready = (globalThis.{REGISTRY} = {{}});"
        f"for (const [file, address] of Object.entries({json.dumps(addresses)})) "
        "import(address).then("
        "(module) => { ready[file] = { then: (done) => done(module) }; }, () => {});"
        "</script>"
    )
    head = "    " + "\n    ".join([*links, loader]) + "\n  </head>"
    return index_html.replace("</head>", head, 1)
