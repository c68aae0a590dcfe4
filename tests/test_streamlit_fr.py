"""Streamlit's own interface in French (dashboard/streamlit_fr.py and its table): the table
is written for the installed Streamlit and every text it replaces is still in the bundle —
so that an upgrade of Streamlit is re-checked text by text —, only whole string literals
are replaced, and the served copy is complete, French, and named after its content.

After an upgrade of Streamlit, `python -m dashboard.streamlit_fr` lists what moved."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import streamlit
from streamlit import file_util

from dashboard import charts, streamlit_fr
from dashboard.streamlit_fr import Text, patch_code, translate_script

UPGRADE = (
    "après une mise à jour de Streamlit : `python -m dashboard.streamlit_fr` liste ce qui a "
    "bougé ; corriger dashboard/streamlit_fr.toml puis y changer la version"
)


@pytest.fixture(scope="module")
def table():
    return streamlit_fr.load()


@pytest.fixture(scope="module")
def report(table):
    return streamlit_fr.translate(streamlit_fr.static_dir(), table)


def test_the_table_is_written_for_the_installed_streamlit(table):
    assert table.streamlit == streamlit.__version__, (
        f"table écrite pour Streamlit {table.streamlit}, installé : {streamlit.__version__} "
        f"({UPGRADE})"
    )


def test_every_text_of_the_table_is_in_the_installed_bundle(table, report):
    missing = [p for p in report.problems if not p.startswith("table écrite pour")]
    missing += [
        f"{name} : le texte anglais a changé"
        for name, (english, _) in table.python.items()
        if streamlit_fr._python_value(name) != english
    ]
    assert not missing, "\n".join(missing) + f"\n({UPGRADE})"


def test_only_whole_literals_are_replaced():
    texts = (Text("Search", "Rechercher"), Text("Help for ", "Aide : "))
    source = (
        'a("Search");b(`Search`);c(\'Search\');d("Searching");e.Search;f("Search`);'
        "g(`Help for ${x}`);h(`Help for`);i(`${y}Search`)"
    )
    translated, done = translate_script(source, texts)
    assert translated == (
        'a("Rechercher");b(`Rechercher`);c(\'Rechercher\');d("Searching");e.Search;'
        'f("Search`);g(`Aide : ${x}`);h(`Help for`);i(`${y}Rechercher`)'
    )
    assert done == {"Search": 4, "Help for ": 1}


def test_a_text_may_be_replaced_only_after_a_given_source():
    texts = (Text("Delete", "Supprimer", after='"aria-label":'),)
    source = 'e.key===`Delete`||f({"aria-label":`Delete`})'
    translated, done = translate_script(source, texts)
    assert translated == 'e.key===`Delete`||f({"aria-label":`Supprimer`})'
    assert done == {'Delete (après "aria-label":)': 1}


def test_the_french_is_written_as_the_literal_needs_it():
    texts = (Text("Close", "Fermer l'aperçu `ici` ${pas} \\ fin"),)
    translated, _ = translate_script("a('Close');b(`Close`);c(\"Close\")", texts)
    assert translated == (
        "a('Fermer l\\'aperçu `ici` ${pas} \\\\ fin');"
        "b(`Fermer l'aperçu \\`ici\\` \\${pas} \\\\ fin`);"
        'c("Fermer l\'aperçu `ici` ${pas} \\\\ fin")'
    )


def test_a_code_snippet_is_replaced_only_when_found_once():
    snippets = {"`${a}${b}`": "`${a} ${b}`"}
    assert patch_code("x=`${a}${b}`", snippets) == ("x=`${a} ${b}`", {"`${a}${b}`": 1})
    twice = "x=`${a}${b}`;y=`${a}${b}`"
    assert patch_code(twice, snippets) == (twice, {"`${a}${b}`": 2})
    assert patch_code("x", snippets) == ("x", {"`${a}${b}`": 0})


def test_the_translated_copy_is_complete_and_named_after_its_content(report, tmp_path):
    static = streamlit_fr.static_dir()
    streamlit_fr.write(static, report, tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in index and "./static/js/" not in index
    folder = tmp_path / "static" / report.folder
    assert re.fullmatch(r"fr-[0-9a-f]{12}", report.folder)
    # every script the page names is there, and every script of Streamlit's
    for name in re.findall(rf"\./static/{report.folder}/([^\"]+)", index):
        assert (folder / name).is_file(), name
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in (static / "static" / "js").iterdir()
    )
    # translated scripts written, the others links to Streamlit's own files
    uploader = next(folder.glob("FileUploader.*.js"))
    assert not uploader.is_symlink() and "Glissez-déposez" in uploader.read_text("utf-8")
    untouched = [p for p in folder.iterdir() if p.name not in report.translated]
    assert untouched and all(p.is_symlink() for p in untouched)
    assert (tmp_path / "static" / "media").is_symlink()
    # the same table gives the same folder; another table, another folder (browsers keep
    # Streamlit's scripts a year: a changed translation must have a new address)
    assert streamlit_fr.translate(static, streamlit_fr.load()).folder == report.folder
    other = streamlit_fr.load()
    other.texts["FileUploader"] = (Text("Upload", "Parcourir"),)
    assert streamlit_fr.translate(static, other).folder != report.folder


@pytest.mark.skipif(shutil.which("node") is None, reason="node absent : syntaxe JS non vérifiée")
def test_every_translated_script_is_still_javascript(report, tmp_path):
    for name, source in report.translated.items():
        path = tmp_path / (name[: -len(".js")] + ".mjs")
        path.write_text(source, encoding="utf-8")
        checked = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, f"{name} : {checked.stderr[-2000:]}"


def test_install_serves_the_copy_and_streamlit_s_python_texts(monkeypatch):
    monkeypatch.setattr(file_util, "get_static_dir", file_util.get_static_dir)
    from streamlit.elements import exception

    english = exception._GENERIC_UNCAUGHT_EXCEPTION_TEXT
    monkeypatch.setattr(exception, "_GENERIC_UNCAUGHT_EXCEPTION_TEXT", english)
    served = streamlit_fr.install()
    try:
        assert Path(file_util.get_static_dir()) == served
        assert "redacted" not in exception._GENERIC_UNCAUGHT_EXCEPTION_TEXT
        assert "journal du serveur" in exception._GENERIC_UNCAUGHT_EXCEPTION_TEXT
        assert (served / "index.html").read_text(encoding="utf-8").count('lang="fr"') == 1
    finally:
        shutil.rmtree(served)


def test_plotly_s_dictionary_matches_the_bundled_plotly():
    """Each English key of the charts' French dictionary is a text the bundled plotly.js
    asks its dictionary for; every toolbar button the charts keep is in it."""
    plotly = "".join(
        p.read_text(encoding="utf-8")
        for p in streamlit_fr.chunks(streamlit_fr.static_dir())["PlotlyChart"]
    )
    asked = set(re.findall(r"\b[a-z_]\([a-zA-Z_.]+,`([^`$]+)`\)", plotly))
    dictionary = charts.PLOTLY_FR["dictionary"]
    assert not set(dictionary) - asked, sorted(set(dictionary) - asked)
    kept = {"Download plot as a PNG", "Download plot", "Pan", "Zoom in", "Zoom out"}
    assert kept | {"Reset axes", "Double-click to zoom back out"} <= set(dictionary)


def test_the_charts_config_is_french():
    still, movable = charts.config(), charts.config(movable=True)
    for config in (still, movable):
        assert config["displaylogo"] is False and config["locale"] == "fr"
        assert config["locales"]["fr"] is charts.PLOTLY_FR
    assert {"zoom2d", "pan2d", "zoomIn2d", "autoScale2d"} <= set(still["modeBarButtonsToRemove"])
    assert "pan2d" not in movable["modeBarButtonsToRemove"] and movable["scrollZoom"]
    assert len(charts.PLOTLY_FR["format"]["months"]) == 12
