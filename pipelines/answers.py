"""Answers to the matcher's questions, given on top of what it recognised: one type for both
ways of answering. The command line reads them from a TOML file (`--profile`), columns named
by their header; the import page builds them from its select boxes, columns named by their
position (two columns may share a header, or have none). Same format as the mapping profiles
of pipelines/mappings/:

    [colonnes]
    "Dernier contact" = ""              # a column to ignore
    "Date 1" = "date_mise_en_relation"

    [valeurs.motif_fin]                 # per field (or value table)
    "Parti en Belgique" = "changement_situation"

    [etapes]                            # an event log's labels: the step's date field,
    "Charte signée" = "date_convention" # or "" for what is no step (a reminder, a call)
    "Appel de suivi" = ""

    [feuilles]                          # a workbook's sheets: "joindre" or "ignorer"
    "Sorties collectives" = "ignorer"

`type` and `association` are optional.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace

from domain.schema import FIELDS, KIND_LABELS, Kind
from domain.text import normalise_key
from domain.values import value_tables
from pipelines.errors import IngestError
from pipelines.mapping import IGNORE, ColumnMapping, suggestions, with_fixes

MAX_ANSWER_FILE = 1_000_000  # bytes
JOIN, IGNORE_SHEET = "joindre", "ignorer"  # what a sheet's answer may say


@dataclass(frozen=True)
class Answers:
    columns: dict[str, str] = field(default_factory=dict)  # normalised header -> field or ""
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field/table -> label -> value
    kind: Kind | None = None
    association: str | None = None
    source: str = ""  # the file's name, for messages
    positions: dict[int, str] = field(default_factory=dict)  # column position -> field or ""
    steps: dict[str, str] = field(default_factory=dict)  # event label -> date field or ""
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> JOIN or IGNORE_SHEET

    def __bool__(self) -> bool:
        return bool(
            self.columns
            or self.positions
            or self.values
            or self.kind
            or self.association
            or self.steps
            or self.sheets
        )

    def shape_key(self) -> tuple:
        """What decides the file's shape (its steps, its sheets), as a hashable key."""
        return (tuple(sorted(self.steps.items())), tuple(sorted(self.sheets.items())))

    def columns_key(self) -> tuple:
        """What decides the columns' fields, as a hashable key (plans are kept per answers)."""
        columns = (tuple(sorted(self.columns.items())), tuple(sorted(self.positions.items())))
        return (*self.shape_key(), *columns)

    def key(self) -> tuple:
        values = tuple(sorted((t, tuple(sorted(v.items()))) for t, v in self.values.items()))
        return (*self.columns_key(), values)

    def with_values(self, values: dict[str, dict[str, str]]) -> Answers:
        """These answers with the labels' answers `values` added (table -> label -> value)."""
        merged = {table: dict(labels) for table, labels in self.values.items()}
        for table, labels in values.items():
            merged.setdefault(table, {}).update(labels)
        return replace(self, values=merged)


NO_ANSWERS = Answers()


def read_answers(data: bytes, filename: str) -> Answers:
    """An answers file; IngestError with a French message when it cannot be used."""
    if len(data) > MAX_ANSWER_FILE:
        raise IngestError(f"Fichier de réponses « {filename} » trop volumineux (1 Mo au plus).")
    try:
        raw = tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        where = f" ({exc})" if isinstance(exc, tomllib.TOMLDecodeError) else ""
        raise IngestError(
            f"Fichier de réponses « {filename} » illisible{where} : il doit être au format "
            'TOML, par exemple [colonnes] puis "En-tête" = "champ".'
        ) from None
    kind = raw.get("type")
    if kind is not None and kind not in {k.value for k in Kind}:
        choices = ", ".join(k.value for k in Kind)
        raise IngestError(f"Type « {kind} » inconnu dans « {filename} » : {choices}.")
    columns = raw.get("colonnes", {})
    values = raw.get("valeurs", {})
    steps = raw.get("etapes", {})
    sheets = raw.get("feuilles", {})
    if not all(isinstance(x, dict) for x in (columns, values, steps, sheets)):
        raise IngestError(
            f"« {filename} » : [colonnes], [valeurs.<champ>], [etapes] et [feuilles] doivent "
            "être des tables."
        )
    wrong = [(s, v) for s, v in sheets.items() if v not in (JOIN, IGNORE_SHEET)]
    if wrong:
        raise IngestError(
            f"« {filename} » : la réponse pour la feuille « {wrong[0][0]} » doit être "
            f'"{JOIN}" ou "{IGNORE_SHEET}".'
        )
    bad_steps = [s for s, v in steps.items() if not isinstance(v, str)]
    if bad_steps:
        raise IngestError(
            f"« {filename} » : la réponse pour l'étape « {bad_steps[0]} » doit être un champ de "
            'date entre guillemets, ou "" si ce n\'est pas une étape.'
        )
    bad = [h for h, f in columns.items() if not isinstance(f, str)]
    if bad:
        raise IngestError(
            f"« {filename} » : la réponse pour « {bad[0]} » doit être un nom de champ entre "
            'guillemets, ou "" pour ignorer la colonne.'
        )
    return Answers(
        columns={normalise_key(h): f.strip() for h, f in columns.items()},
        values={
            name: {normalise_key(str(label)): str(v).strip() for label, v in labels.items()}
            for name, labels in values.items()
            if isinstance(labels, dict)
        },
        kind=Kind(kind) if kind else None,
        association=(raw.get("association") or None),
        source=filename,
        steps={normalise_key(str(s)): v.strip() for s, v in steps.items()},
        sheets={normalise_key(str(s)): v for s, v in sheets.items()},
    )


def _check_field(kind: Kind, name: str, source: str) -> None:
    known = {f.name for f in FIELDS[kind]}
    if name and name not in known:
        raise IngestError(
            f"Champ « {name} » inconnu pour un fichier de type « {KIND_LABELS[kind]} » "
            f"(réponses « {source} ») ; champs possibles : {', '.join(sorted(known))}."
        )


def _table_of(kind: Kind, name: str, source: str) -> str:
    """The value table a [valeurs.<name>] section speaks of: a field's table, or a table."""
    for f in FIELDS[kind]:
        if f.name == name and f.table:
            return f.table
    if name in value_tables():
        return name
    raise IngestError(
        f"[valeurs.{name}] dans « {source} » : ce n'est pas un champ à libellés d'un fichier "
        f"de type « {KIND_LABELS[kind]} »."
    )


def answer_columns(mapping: ColumnMapping, header: list[str], answers: Answers) -> ColumnMapping:
    """The mapping with the answered columns on top: each takes the given field, or is
    ignored (""). A column answered by position wins over an answer for its header."""
    fixes: dict[int, str] = {}
    for pos, text in enumerate(header):
        key = normalise_key(text) if text else ""
        if key in answers.columns:
            target = answers.columns[key]
            _check_field(mapping.kind, target, answers.source)
            fixes[pos] = target or IGNORE
    for pos, target in answers.positions.items():
        _check_field(mapping.kind, target, answers.source)
        fixes[pos] = target or IGNORE
    return with_fixes(mapping, header, fixes) if fixes else mapping


def answer_values(mapping: ColumnMapping, answers: Answers) -> ColumnMapping:
    """The mapping with the answered labels joining the layout's value tables."""
    if not answers.values:
        return mapping
    merged = {table: dict(labels) for table, labels in mapping.values.items()}
    for name, labels in answers.values.items():
        table = _table_of(mapping.kind, name, answers.source)
        allowed = set(value_tables()[table].labels)
        for label, canonical in labels.items():
            if canonical not in allowed:
                raise IngestError(
                    f"[valeurs.{name}] dans « {answers.source} » : « {canonical} » n'est "
                    f"pas une valeur admise ({', '.join(sorted(allowed))})."
                )
            merged.setdefault(table, {})[label] = canonical
    return replace(mapping, values=merged)


def apply_answers(mapping: ColumnMapping, header: list[str], answers: Answers) -> ColumnMapping:
    """The mapping with the answers on top: answered columns take the given field (or are
    ignored), answered labels join the layout's value tables."""
    if not answers:
        return mapping
    return answer_values(answer_columns(mapping, header, answers), answers)


def toml_text(text: str) -> str:
    """Text between the double quotes of a TOML key."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def template_lines(mapping: ColumnMapping) -> list[str]:
    """The answers file to fill for the questions of a mapping: one commented line per
    question (an unedited copy answers nothing), the likeliest fields in the comment."""
    lines = ["[colonnes]"]
    for question in mapping.questions:
        choices = [name for name, _ in suggestions(question)]
        header = toml_text(question.header)
        hint = f"{' ou '.join(f'« {c} »' for c in choices)}, ou " if choices else ""
        lines.append(f'# "{header}" = ""   # {hint}"" pour l\'ignorer')
    return lines
