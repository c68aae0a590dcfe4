"""The first screen's element scripts evaluated with the page (dashboard/static_preload.py):
on small hand-written bundles, and on the Streamlit installed."""

from __future__ import annotations

import re

from dashboard import static_preload, streamlit_fr

# A bundle shaped like Streamlit's (vite + rolldown): the dependency list, then lazy loaders.
MAIN = (
    'const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["./Metric.a1.js","./shared.b2.js",'
    '"./Plotly.c3.js","./Grid.d4.js","../css/Grid.e5.css"])))=>i.map(i=>d[i]);'
    'import{t as x}from"./base.f6.js";'
    "ra=(0,U.lazy)(()=>H(()=>import(`./Metric.a1.js`),__vite__mapDeps([0,1]),import.meta.url)),"
    "rb=(0,U.lazy)(()=>H(()=>import(`./Plotly.c3.js`),__vite__mapDeps([2]),import.meta.url)),"
    "rc=(0,U.lazy)(()=>H(()=>import(`./Grid.d4.js`),__vite__mapDeps([3,4]),import.meta.url));"
)
INDEX = (
    "<html><head>\n"
    '<script type="module" crossorigin src="./static/js/main.z9.js"></script>\n'
    "  </head><body></body></html>"
)


def _bundle(tmp_path):
    scripts = tmp_path / "js"
    scripts.mkdir()
    (scripts / "main.z9.js").write_text(MAIN, encoding="utf-8")
    (scripts / "base.f6.js").write_text("export const t=1;", encoding="utf-8")
    (scripts / "Metric.a1.js").write_text(
        'import{t}from"./base.f6.js";import"./shared.b2.js";export default 1;', encoding="utf-8"
    )
    (scripts / "shared.b2.js").write_text('import"./deep.g7.js";', encoding="utf-8")
    (scripts / "deep.g7.js").write_text("", encoding="utf-8")
    (scripts / "Plotly.c3.js").write_text("export default 2;", encoding="utf-8")
    (scripts / "Grid.d4.js").write_text("export default 3;", encoding="utf-8")
    return scripts


def test_closure_follows_static_imports_and_skips_missing_files(tmp_path):
    scripts = _bundle(tmp_path)
    assert static_preload.closure(scripts, ["Metric.a1.js", "absent.js"]) == [
        "Metric.a1.js",
        "base.f6.js",
        "shared.b2.js",
        "deep.g7.js",
    ]


def test_plan_takes_the_named_elements_beyond_the_main_bundle(tmp_path):
    scripts = _bundle(tmp_path)
    eager = static_preload.plan(scripts, "main.z9.js", MAIN, names=("Metric",))
    assert eager.elements == ["Metric.a1.js"]
    # base.f6.js is already loaded by the main bundle: not fetched again
    assert eager.fetched == ["Metric.a1.js", "shared.b2.js", "deep.g7.js"]
    assert eager.problems == []


def test_plan_says_which_names_it_cannot_take(tmp_path):
    scripts = _bundle(tmp_path)
    eager = static_preload.plan(scripts, "main.z9.js", MAIN, names=("Grid", "Absent", "Metric"))
    assert eager.elements == ["Metric.a1.js"]
    assert len(eager.problems) == 2
    assert "« Grid »" in eager.problems[0]  # its loading injects a stylesheet: stays lazy
    assert "« Absent »" in eager.problems[1]
    assert static_preload.main_script(INDEX) == "main.z9.js"
    assert static_preload.main_script("<html></html>") is None  # said by streamlit_fr


def test_patch_main_reads_the_registry_first_and_defers_the_others():
    patched = static_preload.patch_main(MAIN, ["Metric.a1.js"])
    assert (
        "ra=(0,U.lazy)(()=>globalThis.__pilotageElements?.[`./Metric.a1.js`]||"
        "H(()=>import(`./Metric.a1.js`),__vite__mapDeps([0,1]),import.meta.url))"
    ) in patched
    deferred = f"()=>{static_preload.AFTER_PAINT}.then(()=>import(`./Plotly.c3.js`))"
    assert f"rb=(0,U.lazy)(()=>H({deferred},__vite__mapDeps([2]),import.meta.url))" in patched
    assert patched.count(static_preload.AFTER_PAINT) == 2  # Plotly and Grid
    assert patched.count("(") == patched.count(")")
    # nothing else changed
    assert (
        re.sub(r"globalThis\.__pilotageElements\?\.\[`[^`]*`\]\|\|", "", patched)
        .replace(
            f"{static_preload.AFTER_PAINT}.then(()=>import(`./Plotly.c3.js`))",
            "import(`./Plotly.c3.js`)",
        )
        .replace(
            f"{static_preload.AFTER_PAINT}.then(()=>import(`./Grid.d4.js`))",
            "import(`./Grid.d4.js`)",
        )
        == MAIN
    )


def test_with_loader_adds_preloads_and_the_loader_after_the_main_script(tmp_path):
    scripts = _bundle(tmp_path)
    eager = static_preload.plan(scripts, "main.z9.js", MAIN, names=("Metric",))
    html = static_preload.with_loader(INDEX, eager, "./static/fr-x")
    assert html.index("main.z9.js") < html.index('<script type="module">') < html.index("</head>")
    for name in eager.fetched:
        assert f'<link rel="modulepreload" crossorigin href="./static/fr-x/{name}">' in html
    assert '{"./Metric.a1.js": "./static/fr-x/Metric.a1.js"}' in html
    assert "globalThis.__pilotageElements = {}" in html
    assert static_preload.with_loader(INDEX, static_preload.Eager([], [], []), ".") == INDEX


def test_the_installed_streamlit_has_every_element_and_the_served_copy_uses_them():
    report = streamlit_fr.translate(streamlit_fr.static_dir(), streamlit_fr.load())
    assert report.problems == []
    static = streamlit_fr.static_dir()
    main = static_preload.main_script((static / streamlit_fr.INDEX).read_text(encoding="utf-8"))
    patched = report.translated[main]
    original = (static / streamlit_fr.SCRIPTS / main).read_text(encoding="utf-8")
    lazies = static_preload.lazy_elements(original)
    wanted = {static_preload.chunk_name(f) for f in lazies} & set(static_preload.ELEMENTS)
    assert wanted == set(static_preload.ELEMENTS)
    assert patched.count("globalThis.__pilotageElements?.[") == len(static_preload.ELEMENTS)
    heavy = len(lazies) - len(static_preload.ELEMENTS)
    assert heavy > 20 and patched.count(static_preload.AFTER_PAINT) == heavy
    assert f'src="./static/{report.folder}/{main}"' in report.index
    assert "globalThis.__pilotageElements = {}" in report.index
