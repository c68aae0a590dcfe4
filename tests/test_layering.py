"""Imports go one way (contracts in pyproject.toml): the contracts hold on the tree, and
they would catch an indicator that reads the database, a vocabulary that imports a
pipeline, or a settings registry that imports anything of the project."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "commands",
    "pages",
    "dashboard",
    "demo",
    "pipelines",
    "reports",
    "auth",
    "store",
    "indicators",
    "domain",
    "settings",
]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


def copy_tree(target: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_tree_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("KEPT") == 5


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("indicators/funnel.py", "import store.db\n", "Indicators read the vocabulary alone"),
        ("domain/steps.py", "import pipelines.errors\n", "Layers"),
        ("pages/entonnoir.py", "import store.queries\n", "Pages go through the dashboard"),
        ("store/models.py", "import indicators.stats\n", "Layers"),
        ("pages/importer.py", "import pipelines.api\n", "Pages go through the dashboard"),
        ("dashboard/sections.py", "import pipelines.normalise\n", "enters the import through"),
        ("pipelines/load.py", "import auth.roles\n", "Layers"),
        ("pipelines/normalise.py", "import pipelines.mapping\n", "No cycle of imports"),
        # An import inside a function counts: it is how the last cycles hid.
        ("pipelines/vocabulary.py", "def f():\n    import pipelines.mapping\n", "No cycle"),
        (
            "store/db.py",
            "import typing\nif typing.TYPE_CHECKING:\n    import store.snapshot\n",
            "No cycle",
        ),
        ("settings/__init__.py", "import store.db\n", "Layers"),
        ("settings/setting.py", "import domain.text\n", "Layers"),
    ],
)
def test_a_wrong_way_import_breaks_a_contract(tmp_path, module, line, broken):
    root = copy_tree(tmp_path)
    path = root / module
    path.write_text(line + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = lint_imports(root)
    assert result.returncode == 1
    assert f"{broken}" in result.stdout.split("Broken contracts")[1]
