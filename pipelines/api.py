"""The import as its two callers hold it, the Importer page and the command line: one door.

A `Conversation` is one upload on its way in. It is read once (`table`), shaped into one row
per record (`shaped`: an event log pivoted, linked sheets joined; `pipelines.shape`) and
understood (`understand`: saved and shipped profiles, then the matcher); for each set of
`Answers` the user gives (steps and sheets, columns, labels), it is mapped (`mapping`) and
planned (`plan`: every row validated, nothing written); then the plan is applied (`apply`:
one transaction, with its audit entry). The page keeps one conversation per upload across
its reruns and asks it again as the user answers; the command line makes one per file and
runs it to the end (`run`), which never raises for a bad file: the report says why it was
refused or what to answer.

Stages, each in its module: read (`extract`, `filecheck`, `bounds`, `isolation`,
`docx_fiches`, `hidden_columns`), shape (`shape`, `event_log`, `linked_sheets`), understand
(`mapping`, `matcher`, `answers`, `saved_profiles`), prepare (`non_data_rows`, `normalise`,
`pseudonyms`, `communes`, `prepare`, `plan`), write (`write`, `load`, `consolidate`,
`undo`). Only this module and `preview` (what a plan will do, in French
tables) are for the web side; an import-linter contract keeps it so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

from sqlalchemy import Engine

from domain.schema import Kind
from domain.text import normalise_key
from pipelines import faults
from pipelines.answers import NO_ANSWERS, Answers, answer_columns, answer_values, read_answers
from pipelines.database_setup import ensure_database
from pipelines.docx_fiches import fiches_to_table
from pipelines.errors import IngestError
from pipelines.extract import RawTable, read_table
from pipelines.file_report import (
    FileReport,
    columns_report,
    questions_report,
    set_aside_words,
    steps_words,
)
from pipelines.isolation import isolated
from pipelines.mapping import (
    IGNORE,
    SUGGESTED,
    ColumnMapping,
    Profile,
    describe_columns,
    header_scorer,
    map_columns,
)
from pipelines.matcher.cells import CellShape
from pipelines.plan import NeedsAnswers, NeedsAssociation, Plan, known_associations, make_plan
from pipelines.pseudonyms import load_key
from pipelines.saved_profiles import all_profiles, remembered_shape, stored_headers
from pipelines.shape import Shaped, shape
from pipelines.undo import UndoReport, undo_import
from pipelines.write import already_imported, already_imported_report, apply_plan
from store import snapshot
from store.audit import Actor, record

__all__ = [
    "IGNORE",
    "NO_ANSWERS",
    "SUGGESTED",
    "Answers",
    "ColumnMapping",
    "Conversation",
    "FileReport",
    "IngestError",
    "NeedsAnswers",
    "NeedsAssociation",
    "Plan",
    "Shaped",
    "UndoReport",
    "Upload",
    "ensure_database",
    "ingest",
    "ingest_upload",
    "load_key",
    "read_answers",
    "record_outcome",
    "set_aside_words",
    "sha256_of",
    "steps_words",
    "undo",
    "uploads",
]

# What a conversation keeps, per set of answers: mappings are small; a plan holds every row
# of the file, and a page run needs two at most (the answers, then with the labels' answers).
MAPPINGS_KEPT = 8
PLANS_KEPT = 2


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Upload:
    """The bytes of one file, or of a batch of Word fiches (one import for them all)."""

    name: str
    sha256: str
    parts: tuple[tuple[str, bytes], ...]
    docx: bool = False

    @classmethod
    def of(cls, name: str, data: bytes) -> Upload:
        return cls(name, sha256_of(data), ((name, data),))

    @classmethod
    def fiches(cls, parts: Iterable[tuple[str, bytes]]) -> Upload:
        """Word fiches candidature imported together. Their identity is the sha256 of their
        hashes, in order; the name recorded (history, audit log) says how many, never the
        file names, which are often the youth's name (« fiche_Dupont_Marie.docx »)."""
        parts = tuple(parts)
        digest = "".join(sha256_of(data) for _, data in parts).encode("ascii")
        name = f"{len(parts)} fiche(s) candidature (Word)"
        return cls(name, hashlib.sha256(digest).hexdigest(), parts, docx=True)


def uploads(files: Iterable[tuple[str, bytes]]) -> list[Upload]:
    """Files dropped together: each spreadsheet on its own, the Word fiches grouped into one
    batch; the same bytes twice are kept once."""
    files = list(files)
    out = [Upload.of(n, d) for n, d in files if not n.lower().endswith(".docx")]
    fiches = [(n, d) for n, d in files if n.lower().endswith(".docx")]
    if fiches:
        out.append(Upload.fiches(fiches))
    seen: set[str] = set()
    return [u for u in out if not (u.sha256 in seen or seen.add(u.sha256))]


def _read(data: bytes, filename: str, extra: frozenset[str]) -> RawTable:
    """`read_table` knowing the headers of the saved profiles (`extra`, normalised); a
    module-level function, so that `isolation` can run it in a child process."""
    return read_table(data, filename, header_scorer(extra))


class Conversation:
    """One upload between its arrival and its import (see the module's docstring).

    `kind` and `association` are what the user said before any reading (None: detected).
    With `isolate` (the web server), the file is read in a child process with a memory and a
    time limit (`pipelines.isolation`).
    """

    def __init__(
        self,
        engine: Engine,
        upload: Upload,
        key: bytes,
        kind: Kind | None = None,
        association: str | None = None,
        *,
        isolate: bool = False,
    ) -> None:
        self.engine, self.upload, self.key = engine, upload, key
        self.kind, self.association, self.isolate = kind, association, isolate
        self.version: object = None  # the data version it was understood against
        self._shapes: dict[tuple, Shaped] = {}
        self._understood: dict[tuple, ColumnMapping] = {}
        self._mappings: dict[tuple, ColumnMapping] = {}
        self._plans: dict[tuple, Plan] = {}

    def about(self, kind: Kind | None, association: str | None, version: object) -> Conversation:
        """The same upload with what the user now says of it, against the data as they are
        now (`version`: another import, a saved mapping change what is understood): what was
        understood and planned is asked again when any of it changed; the table stays, read
        once."""
        if (kind, association, version) != (self.kind, self.association, self.version):
            if version != self.version:
                self.__dict__.pop("profiles", None)
            self.__dict__.pop("associations", None)
            self.__dict__.pop("cells", None)
            for memo in (self._shapes, self._understood, self._mappings, self._plans):
                memo.clear()
            self.kind, self.association, self.version = kind, association, version
        return self

    @property
    def name(self) -> str:
        return self.upload.name

    def previous(self):
        """The earlier import of the same bytes still in force (a row), or None. Asked each
        time: another person may have imported the file meanwhile."""
        return already_imported(self.engine, self.upload.sha256)

    @cached_property
    def profiles(self) -> tuple[Profile, ...]:
        """The shipped profiles and those saved from the page, read once."""
        return all_profiles(self.engine)

    @cached_property
    def associations(self) -> frozenset[str]:
        """The associations the database knows, and the one the user named (normalised):
        a column of their names is the association, whatever its header says."""
        known = set(known_associations(self.engine))
        if self.association:
            known.add(normalise_key(self.association))
        return frozenset(known)

    @cached_property
    def table(self) -> RawTable:
        """The file's table, read once (IngestError, in French, when it cannot be)."""
        if self.upload.docx:
            return fiches_to_table(list(self.upload.parts))
        name, data = self.upload.parts[0]
        extra = stored_headers(self.profiles)
        if self.isolate:
            return isolated(_read, data, name, extra, filename=name)
        return _read(data, name, extra)

    def shaped(self, answers: Answers = NO_ANSWERS) -> Shaped:
        """The table of one row per record, with the steps and sheets answered; what the
        shaping decided and asks (`pipelines.shape`)."""
        key = answers.shape_key()
        if key not in self._shapes:
            _bounded(self._shapes, MAPPINGS_KEPT)
            steps, sheets = remembered_shape(self.profiles, self.association)
            known = replace(answers, steps=steps | answers.steps, sheets=sheets | answers.sheets)
            self._shapes[key] = shape(self.table, known, self.cells)
        return self._shapes[key]

    @cached_property
    def cells(self) -> list[CellShape]:
        """The columns of the file as read, described once: the shaping and the mapping of a
        plain table both read them."""
        raw = self.table
        return describe_columns(raw.frame, len(raw.header), self.associations)

    def understand(self, answers: Answers = NO_ANSWERS) -> ColumnMapping:
        """The mapping before any column answer: saved profiles, shipped profiles, the
        matcher (headers and cells). Its `questions` are what must be answered first."""
        key = answers.shape_key()
        if key not in self._understood:
            _bounded(self._understood, MAPPINGS_KEPT)
            shaped = self.shaped(answers)
            raw = shaped.table
            self._understood[key] = map_columns(
                raw.header,
                kind=self.kind or (shaped.log.kind if shaped.log else None),
                association=self.association,
                profiles=self.profiles,
                cells=raw.frame,
                groups=raw.groups or None,
                associations=self.associations,
                hidden=raw.hidden,
                fixed=shaped.fixed,
                shapes=self.cells if raw is self.table else None,
            )
        return self._understood[key]

    @property
    def understood(self) -> ColumnMapping:
        """`understand` before any answer."""
        return self.understand()

    def mapping(self, answers: Answers = NO_ANSWERS) -> ColumnMapping:
        """The mapping with these answers on top (IngestError when an answer is not
        possible: a field chosen twice, an unknown field or value)."""
        columns_key = answers.columns_key()
        if columns_key not in self._mappings:
            _bounded(self._mappings, MAPPINGS_KEPT)
            self._mappings[columns_key] = answer_columns(
                self.understand(answers), self.shaped(answers).table.header, answers
            )
        return answer_values(self._mappings[columns_key], answers)

    def plan(self, answers: Answers = NO_ANSWERS, today: dt.date | None = None) -> Plan:
        """What importing with these answers would do, nothing written. Raises
        NeedsAnswers while questions remain, IngestError when the file cannot be loaded."""
        key = (answers.key(), today)
        if key not in self._plans:
            _bounded(self._plans, PLANS_KEPT)
            self._plans[key] = make_plan(
                self.engine,
                self.shaped(answers),
                self.mapping(answers),
                self.name,
                self.upload.sha256,
                self.key,
                self.association,
                answers,
                today,
            )
        return self._plans[key]

    def apply(
        self,
        plan: Plan,
        actor: Actor,
        *,
        keep_mapping: bool = False,
        create_association: bool = False,
        capacity: int | None = None,
        dry_run: bool = False,
        demo: bool = False,
        audited: bool = True,
    ) -> FileReport:
        """Write `plan` in one transaction in the name of `actor`, with its audit entry
        (`pipelines.write.apply_plan`); the conversation is done with once it is written."""
        report = apply_plan(
            self.engine,
            plan,
            actor,
            keep_mapping=keep_mapping,
            create_association=create_association,
            capacity=capacity,
            dry_run=dry_run,
            demo=demo,
            audited=audited,
        )
        if not dry_run:
            self._plans.clear()
        return report

    def run(
        self,
        actor: Actor,
        answers: Answers = NO_ANSWERS,
        *,
        create_association: bool = False,
        dry_run: bool = False,
        demo: bool = False,
        audited: bool = True,
    ) -> FileReport:
        """Read, plan and apply in one go (the command line, the demo builder). Never raises
        for a bad file: the report is `rejete` with the French reason, or `a_completer` with
        the questions. A refused file and one left to complete are written to the audit log
        too (unless a dry run or not `audited`), outside any transaction."""
        previous = self.previous()
        if previous is not None:
            return already_imported_report(self.name, previous)
        try:
            plan = self.plan(answers)
            faults.point("lecture")
            report = self.apply(
                plan,
                actor,
                create_association=create_association,
                dry_run=dry_run,
                demo=demo,
                audited=audited,
            )
        except NeedsAnswers as exc:
            report = FileReport(
                fichier=self.name,
                statut="a_completer",
                type=exc.mapping.kind.value,
                association=self.association or exc.mapping.association,
                erreurs=[exc.for_command_line],
                message=exc.for_command_line,
                colonnes=columns_report(exc.mapping, exc.header, exc.hidden),
                forme=exc.form,
                etapes=exc.steps,
                feuilles=exc.sheets,
                questions=questions_report(exc.mapping, exc.shaped),
                essai=dry_run,
            )
        except IngestError as exc:
            report = FileReport(
                fichier=self.name,
                statut="rejete",
                erreurs=[exc.for_command_line],
                message=exc.for_command_line,
                essai=dry_run,
            )
        if report.statut == "charge" and not dry_run:
            # The command line's imports too: a server started later finds the snapshot.
            snapshot.refresh_kept(self.engine)
        elif audited and not dry_run:
            record_outcome(self.engine, actor, report, self.upload.sha256)
        return report


def _bounded(memo: dict, most: int) -> None:
    if len(memo) >= most:
        memo.clear()


def record_outcome(engine: Engine, actor: Actor, report: FileReport, sha256: str | None) -> None:
    """The audit entry of a file that was not loaded (refused, left to complete, or not even
    readable: `sha256` None); a loaded file's entry is written with it, in its transaction,
    and a file already imported changed nothing and has none."""
    entry = report.audit_entry(sha256)
    if entry is not None and report.statut != "charge":
        record(engine, actor, *entry)


def ingest(
    engine: Engine,
    data: bytes,
    filename: str,
    key: bytes,
    kind: Kind | None = None,
    association: str | None = None,
    user: str = "cli",
    answers: Answers | None = None,
    dry_run: bool = False,
    demo: bool = False,
    actor: Actor | None = None,
) -> FileReport:
    """Import one file in one go; never raises for a bad file. An `association` given and not
    yet in the referential is added to it (said in the report). Without an `actor`, the
    import is recorded in the history under `user` and not written to the audit log (the
    demo builder, tests)."""
    return ingest_upload(
        engine,
        Upload.of(filename, data),
        key,
        kind,
        association,
        answers=answers,
        dry_run=dry_run,
        demo=demo,
        actor=actor or Actor(user),
        audited=actor is not None,
    )


def ingest_upload(
    engine: Engine,
    upload: Upload,
    key: bytes,
    kind: Kind | None,
    association: str | None,
    *,
    answers: Answers | None,
    dry_run: bool,
    actor: Actor,
    demo: bool = False,
    audited: bool = True,
) -> FileReport:
    """`ingest` for an upload (a file, or Word fiches together): the kind and association
    given win over those of the answers file; only an association given is added to the
    referential."""
    answers = answers or NO_ANSWERS
    conversation = Conversation(
        engine, upload, key, kind or answers.kind, association or answers.association
    )
    return conversation.run(
        actor,
        answers,
        create_association=bool(association),
        dry_run=dry_run,
        demo=demo,
        audited=audited,
    )


def undo(engine: Engine, import_id: int, actor: Actor) -> UndoReport:
    """Undo import `import_id` in the name of `actor`, audited in the same transaction
    (IngestError, in French, when it cannot be undone)."""
    return undo_import(engine, import_id, actor.utilisateur, actor)
