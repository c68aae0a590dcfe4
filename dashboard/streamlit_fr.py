"""Streamlit's own words in French.

Streamlit has no French: its frontend, a static bundle shipped inside the package, writes
« Drag and drop files here », « Choose an option », « Show/hide columns »… and has no option
for most of them. The table `streamlit_fr.toml`, written for one Streamlit version, says what
to replace. At server start (`dashboard.server`), `install()` writes a translated copy of
Streamlit's static directory into a temporary directory (the translated files written, every
other file a symbolic link to Streamlit's own) and points Streamlit's static file handler at
it; the copy is removed when the server stops.

- Only string literals are replaced. A key of the table is the whole source text of a JS
  string literal, or of a segment of a template literal (between its backquote or `}` and
  its backquote or `${`): never part of a literal, never code. A value may say which source
  text precedes the literal (`after`) when the same text is also used as a key or a name.
- A few texts are built by Streamlit from expressions alone (the file sizes, « 13.6KB »):
  those are `[code.*]` entries, an exact source snippet (minified names included) replaced
  by another, each found exactly once.
- The translated scripts are served from a folder named after their content
  (`static/fr-<digest>/` instead of `static/js/`): Streamlit marks its scripts immutable for
  a year, and a browser must never keep an English, or older, copy from its cache.
- The same served copy carries dashboard/static_preload.py's change: the tiles' scripts
  come with the page, the other elements' after the first frame (a new tab's first figure
  no longer waits for plotly's script).
- `problems()` lists what the installed Streamlit no longer has (a text moved, a chunk
  renamed, another version): tests/test_streamlit_fr.py fails on it, so an upgrade of
  Streamlit is checked text by text. The server itself never fails on it: it translates
  what it finds and logs what it did not.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import logging
import re
import shutil
import tempfile
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import streamlit
from streamlit import file_util

from dashboard import static_preload

log = logging.getLogger(__name__)
TABLE = Path(__file__).with_name("streamlit_fr.toml")
SCRIPTS = Path("static") / "js"  # inside Streamlit's static directory
INDEX = "index.html"


@dataclass(frozen=True)
class Text:
    """One literal to replace in a chunk: its French, and the source text that must precede
    its opening quote ("" = anywhere)."""

    english: str
    french: str
    after: str = ""


@dataclass(frozen=True)
class Table:
    streamlit: str  # the version the table was written for
    texts: Mapping[str, tuple[Text, ...]]  # chunk name -> literals
    code: Mapping[str, Mapping[str, str]]  # chunk name -> {exact snippet: replacement}
    html: Mapping[str, str]  # index.html: {exact text: replacement}
    python: Mapping[str, tuple[str, str]]  # "module.CONSTANT" -> (English, French)


def load(path: Path = TABLE) -> Table:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    texts = {}
    for chunk, entries in raw.get("texts", {}).items():
        texts[chunk] = tuple(
            Text(english, value)
            if isinstance(value, str)
            else Text(english, value["fr"], value.get("after", ""))
            for english, value in entries.items()
        )
    python = {name: (value["en"], value["fr"]) for name, value in raw.get("python", {}).items()}
    html = {entry["en"]: entry["fr"] for entry in raw.get("html", [])}
    return Table(raw["streamlit"], texts, raw.get("code", {}), html, python)


def static_dir() -> Path:
    """Streamlit's own static directory (in the installed package)."""
    return Path(_ORIGINAL_STATIC_DIR())


_ORIGINAL_STATIC_DIR = file_util.get_static_dir


def chunk_name(file: Path) -> str:
    """A script's name without its content hash: FileUploader.D7YhAWeM.js -> FileUploader,
    emotion-styled.browser.esm.DdOkyKg_.js -> emotion-styled.browser.esm."""
    return static_preload.chunk_name(file.name)


def chunks(static: Path) -> dict[str, list[Path]]:
    """The bundle's scripts by name (a name may have several files: utils, lib)."""
    found: dict[str, list[Path]] = {}
    for file in sorted((static / SCRIPTS).glob("*.js")):
        found.setdefault(chunk_name(file), []).append(file)
    return found


# --- Replacing literals ------------------------------------------------------------------

_CLOSES = {'"': ('"',), "'": ("'",), "`": ("`", "${"), "}": ("`", "${")}


def _escaped(text: str, quote: str) -> str:
    """`text` written inside a JS literal opened by `quote` (a template's `}` included)."""
    text = text.replace("\\", "\\\\").replace("\n", "\\n")
    if quote in "`}":
        return text.replace("`", "\\`").replace("${", "\\${")
    return text.replace(quote, "\\" + quote)


def translate_script(source: str, texts: tuple[Text, ...]) -> tuple[str, Counter[str]]:
    """`source` with each text of `texts` replaced where it is a whole string literal or a
    whole segment of a template literal (and follows its `after` text); and how many times
    each English text was replaced."""
    done: Counter[str] = Counter()
    if not texts:
        return source, done
    by_english: dict[str, list[Text]] = {}
    for text in texts:
        by_english.setdefault(text.english, []).append(text)
    words = "|".join(re.escape(e) for e in sorted(by_english, key=len, reverse=True))
    pattern = re.compile(r"""(["'`}])(""" + words + r""")(?=(["'`]|\$\{))""")
    out, last = [], 0
    for match in pattern.finditer(source):
        opening, english, closing = match.group(1), match.group(2), match.group(3)
        if closing not in _CLOSES[opening]:
            continue
        start = match.start(1)
        chosen = next(
            (t for t in by_english[english] if t.after and source.endswith(t.after, 0, start)),
            None,
        ) or next((t for t in by_english[english] if not t.after), None)
        if chosen is None:
            continue
        out += [source[last : match.start(2)], _escaped(chosen.french, opening)]
        last = match.end(2)
        done[_key(chosen)] += 1
    out.append(source[last:])
    return "".join(out), done


def _key(text: Text) -> str:
    return f"{text.english} (après {text.after})" if text.after else text.english


def patch_code(source: str, snippets: Mapping[str, str]) -> tuple[str, Counter[str]]:
    """`source` with each snippet replaced where it occurs exactly once (counts returned)."""
    done: Counter[str] = Counter()
    for snippet, replacement in snippets.items():
        done[snippet] = source.count(snippet)
        if done[snippet] == 1:
            source = source.replace(snippet, replacement)
    return source, done


# --- The translated copy ------------------------------------------------------------------


@dataclass
class Report:
    """What a translation did: the files rewritten and what was not found."""

    translated: dict[str, str] = field(default_factory=dict)  # script file name -> content
    index: str = ""
    folder: str = ""  # the translated scripts' folder, under static/
    problems: list[str] = field(default_factory=list)


def translate(static: Path, table: Table) -> Report:
    """The translated files of Streamlit's static directory `static`, in memory."""
    report = Report()
    if streamlit.__version__ != table.streamlit:
        report.problems.append(
            f"table écrite pour Streamlit {table.streamlit}, installé : {streamlit.__version__}"
        )
    scripts = chunks(static)
    for name in sorted(set(table.texts) | set(table.code)):
        files = scripts.get(name, [])
        if not files:
            report.problems.append(f"{name} : aucun script de ce nom dans {SCRIPTS}")
            continue
        found: Counter[str] = Counter()
        for file in files:
            source = file.read_text(encoding="utf-8")
            translated, done = translate_script(source, table.texts.get(name, ()))
            translated, patched = patch_code(translated, table.code.get(name, {}))
            found += done
            for snippet, times in patched.items():
                if times > 1:
                    report.problems.append(f"{name} : « {snippet} » trouvé {times} fois")
                found[snippet] += times == 1
            if translated != source:
                report.translated[file.name] = translated
        wanted = [_key(t) for t in table.texts.get(name, ())] + list(table.code.get(name, {}))
        report.problems += [f"{name} : « {key} » introuvable" for key in wanted if not found[key]]
    index = (static / INDEX).read_text(encoding="utf-8")
    eager = _eager_elements(static, index, report)
    digest = hashlib.sha256()
    for name in sorted(report.translated):
        digest.update(name.encode() + b"\0" + report.translated[name].encode() + b"\0")
    report.folder = f"fr-{digest.hexdigest()[:12]}"
    for english, french in table.html.items():
        if english not in index:
            report.problems.append(f"{INDEX} : « {english} » introuvable")
        index = index.replace(english, french)
    index = index.replace(f'"./{SCRIPTS.as_posix()}/', f'"./static/{report.folder}/')
    report.index = static_preload.with_loader(index, eager, f"./static/{report.folder}")
    return report


def _eager_elements(static: Path, index: str, report: Report) -> static_preload.Eager:
    """The light element scripts evaluated with the page (dashboard/static_preload.py),
    the main bundle's lazy loaders patched to use them (in `report.translated`)."""
    main = static_preload.main_script(index)
    if main is None:
        report.problems.append(f"{INDEX} : script principal introuvable")
        return static_preload.Eager([], [], [])
    source = report.translated.get(main) or (static / SCRIPTS / main).read_text(encoding="utf-8")
    eager = static_preload.plan(static / SCRIPTS, main, source)
    report.problems += eager.problems
    patched = static_preload.patch_main(source, eager.elements)
    if patched != source:
        report.translated[main] = patched
    return eager


def write(static: Path, report: Report, target: Path) -> None:
    """The served directory in `target`: index.html and the translated scripts written,
    everything else a symbolic link to Streamlit's file."""
    for entry in static.iterdir():
        if entry.name == INDEX:
            (target / INDEX).write_text(report.index, encoding="utf-8")
        elif entry.name == "static":
            (target / "static").mkdir()
            for inner in entry.iterdir():
                (target / "static" / inner.name).symlink_to(inner)
        else:
            (target / entry.name).symlink_to(entry)
    folder = target / "static" / report.folder
    folder.mkdir()
    for script in (static / SCRIPTS).iterdir():
        if script.name in report.translated:
            (folder / script.name).write_text(report.translated[script.name], encoding="utf-8")
        else:
            (folder / script.name).symlink_to(script)


def problems(table: Table | None = None) -> list[str]:
    """What the table asks and the installed Streamlit does not have (empty: all found)."""
    table = table or load()
    found = translate(static_dir(), table).problems
    for name, (english, _) in table.python.items():
        if _python_value(name) != english:
            found.append(f"{name} : le texte anglais a changé")
    return found


def _python_value(name: str) -> object:
    module, _, constant = name.rpartition(".")
    return getattr(importlib.import_module(module), constant, None)


def translate_python(table: Table) -> None:
    """Streamlit's texts written by its Python side (the redacted error message)."""
    for name, (english, french) in table.python.items():
        if _python_value(name) != english:
            log.warning("Streamlit interface in French: %s changed, left in English", name)
            continue
        module, _, constant = name.rpartition(".")
        setattr(importlib.import_module(module), constant, french)


def install() -> Path:
    """Make this process's Streamlit server speak French: its static files from a
    translated copy (a temporary directory removed at exit) and its Python-side texts.
    Returns the served directory."""
    table = load()
    static = static_dir()
    report = translate(static, table)
    target = Path(tempfile.mkdtemp(prefix="pilotage-streamlit-fr-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    try:
        write(static, report, target)
    except OSError as exc:  # a full or read-only temporary directory: English, not down
        log.warning("Streamlit interface left in English: %s", exc)
        return Path(static)
    file_util.get_static_dir = lambda: str(target)
    translate_python(table)
    for problem in report.problems:
        log.warning("Streamlit interface in French: %s", problem)
    return target


if __name__ == "__main__":  # python -m dashboard.streamlit_fr: what no longer matches
    listed = problems()
    print("\n".join(listed) or f"Table conforme à Streamlit {streamlit.__version__}.")
    raise SystemExit(1 if listed else 0)
