"""The pack's two files, and the audit entry each download leaves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine

from indicators.committee import Pack, period_words
from store.audit import Actor, record

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = {"pptx": "diaporama", "xlsx": "classeur"}


class RenderError(ValueError):
    """A French message: the template cannot be used, or the file cannot be written."""


def deck_bytes(pack: Pack, picture: bytes | None, template: bytes | None = None) -> bytes:
    from reports.deck import TemplateError, deck

    try:
        return deck(pack, template=template, map_png=picture)
    except TemplateError as exc:
        raise RenderError(str(exc)) from None


def checked_template(template: bytes) -> tuple[bytes, tuple[str, ...]]:
    """The template cleaned of what the deck must not carry (its external links, its
    slides), and what was removed, in French; RenderError when it is refused."""
    from reports.deck_template_clean import TemplateError, clean_template

    try:
        cleaned = clean_template(template)
    except TemplateError as exc:
        raise RenderError(str(exc)) from None
    return cleaned.blob, cleaned.removed


def workbook_bytes(pack: Pack, picture: bytes | None) -> bytes:
    from reports.workbook import workbook

    return workbook(pack, map_png=picture)


def download_detail(pack: Pack, kind: str) -> str:
    """What the audit log says of a downloaded pack file."""
    parts = [
        f"pack de comité ({KINDS[kind]}, {kind})",
        pack.scope_label,
        period_words(pack.du, pack.au),
    ]
    if pack.frozen_label:
        parts.append(f"figé « {pack.frozen_label} »")
    if pack.small_counts_hidden:
        parts.append("diffusion aux partenaires (petits effectifs masqués)")
    return " ; ".join(parts)


def record_download(engine: Engine, actor: Actor, pack: Pack, kind: str) -> None:
    record(engine, actor, "telechargement", download_detail(pack, kind))


def write_files(
    engine: Engine,
    actor: Actor,
    pack: Pack,
    picture: bytes | None,
    pptx: Path | None,
    xlsx: Path | None,
    template: bytes | None = None,
) -> Iterator[Path]:
    """Write the files asked for (each audited once written); yields each path."""
    for kind, path in (("pptx", pptx), ("xlsx", xlsx)):
        if path is None:
            continue
        content = (
            deck_bytes(pack, picture, template) if kind == "pptx" else workbook_bytes(pack, picture)
        )
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise RenderError(f"Écriture impossible de « {path} » ({exc.strerror}).") from None
        record_download(engine, actor, pack, kind)
        yield path
