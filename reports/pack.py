"""A comité pack as the page and the command line hand it out: the indicators' figures
(indicators/committee.py) for a scope, with the date of each source's data, who made it and
when, and the change since the last frozen pack of the same scope."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import Engine

from domain.formatting import count, day, paris_time
from domain.schema import KIND_LABELS, Kind
from indicators import committee
from indicators.committee import Headline, Pack
from indicators.dataset import AGE_BANDS, Dataset, Filters, Period
from indicators.small_counts import threshold as small_count_threshold
from reports import frozen
from store.queries import data_version, imports_undone, latest_import_by_source


class PackError(ValueError):
    """A French message saying what to change in the request (scope, dates)."""


@dataclass(frozen=True)
class Scope:
    """What the pack covers: the pages' filters (the sidebar's), none for the whole
    département; the command line names one association or one territory (`named`)."""

    filters: Filters = field(default_factory=Filters)

    @classmethod
    def named(cls, kind: str = "departement", value: str | None = None) -> Scope:
        """The whole département, one association or one territory (a key of
        committee.SCOPES and its value)."""
        if kind == "departement":
            return cls()
        if kind not in committee.SCOPES:
            raise PackError(f"Périmètre inconnu « {kind} ».")
        return cls(Filters(**{kind: value}))

    @property
    def key(self) -> str:
        """How frozen packs name their scope: "departement", "association:<nom>",
        "territoire:<nom>", several filters joined by ";" ("association:<nom>;canal:…")."""
        chosen = self.filters.chosen()
        return ";".join(f"{f}:{v}" for f, v in chosen.items()) or "departement"

    @property
    def label(self) -> str:
        """« Département », « Association Envol », « Territoire Lille », or every filter in
        words (« Association : Envol · Canal : fiche candidature du CD »)."""
        chosen = self.filters.chosen()
        if not chosen:
            return "Département"
        if len(chosen) == 1 and (kind := next(iter(chosen))) in committee.SCOPES:
            return f"{committee.SCOPES[kind]} {chosen[kind]}"
        return " · ".join(self.filters.words())

    @property
    def association(self) -> str | None:
        return self.filters.association

    def cut(self, data: Dataset) -> Dataset:
        """`data` cut to this scope (the whole dataset for the département)."""
        return data if not self.filters.chosen() else data.scoped(self.filters)


def scope_choices(data: Dataset) -> dict[str, list[str]]:
    """The associations and territories a pack may be cut to (those with parcours)."""
    p = data.parcours
    return {
        kind: sorted(str(v) for v in p[kind].dropna().unique())
        for kind in ("association", "territoire")
    }


def check_scope(data: Dataset, scope: Scope) -> None:
    """PackError when the scope names an association or a territory without parcours, or
    an age band that does not exist."""
    chosen = scope.filters.chosen()
    known = scope_choices(data)
    for kind in ("association", "territoire"):
        if kind in chosen and chosen[kind] not in known[kind]:
            listed = ", ".join(f"« {v} »" for v in known[kind][:12]) or "aucun"
            raise PackError(
                f"{committee.SCOPES[kind]} « {chosen[kind]} » inconnu(e) dans les données. "
                f"Valeurs possibles : {listed}."
            )
    if "tranche_age" in chosen and chosen["tranche_age"] not in AGE_BANDS:
        raise PackError(f"Tranche d'âge « {chosen['tranche_age']} » inconnue.")


def sources(latest: pd.DataFrame, association: str | None = None) -> list[list[str]]:
    """[source, date of its data] for each source in force; an association's pack lists its
    own exports and the département's sources, not the other associations' exports."""
    rows = []
    for row in latest.itertuples():
        if (
            row.type == Kind.ASSOCIATION
            and association is not None
            and row.association != association
        ):
            continue
        label = KIND_LABELS.get(row.type, str(row.type))
        label = label[:1].upper() + label[1:]
        if isinstance(row.association, str) and row.association:
            label = f"{label} — {row.association}"
        rows.append([label, day(row.date_donnees)])
    return rows


def _with_last_comite(pack: Pack, last: Pack | None) -> Pack:
    if last is None:
        return pack
    before = {f.id: f.now for f in last.figures}
    figures = [Headline(f.id, f.now, f.before, before.get(f.id)) for f in pack.figures]
    label = last.frozen_label or "dernier comité"
    return replace(pack, figures=figures, last_comite_label=label)


def build_pack(
    engine: Engine,
    data: Dataset,
    period: Period,
    *,
    comparison: str = "precedente",
    compare_du: dt.date | None = None,
    compare_au: dt.date | None = None,
    scope: Scope = Scope(),
    hide_small: bool = False,
    who: str = "",
    now: dt.datetime | None = None,
) -> Pack:
    """The pack of `period` over `data` (the whole dataset; cut here to the scope), with
    the sources' data dates and the change since the latest frozen pack of the scope.
    PackError for an unknown scope or a comparison without its dates."""
    check_scope(data, scope)
    if comparison == "dates" and (compare_du is None or compare_au is None):
        raise PackError("Indiquez les deux dates de la période de comparaison.")
    if compare_du is not None and compare_au is not None and compare_du > compare_au:
        raise PackError("La période de comparaison doit commencer avant de finir.")
    seuil = small_count_threshold()
    pack = committee.build(
        scope.cut(data),
        period,
        comparison,
        compare_du=compare_du,
        compare_au=compare_au,
        scope_label=scope.label,
        hide_small=hide_small,
        threshold=seuil,
    )
    with engine.connect() as conn:
        latest = latest_import_by_source(conn)
        last_import, _ = data_version(conn)
        undone = imports_undone(conn)
    moment = now or dt.datetime.now(dt.UTC)
    made = f"le {paris_time(moment)}" + (f" par {who}" if who else "")
    version = f"dernier import n° {last_import}" + (
        f" ({count(undone, 'import annulé', 'imports annulés')})" if undone else ""
    )
    pack = replace(
        pack, sources=sources(latest, scope.association), generated=made, data_version=version
    )
    return _with_last_comite(pack, frozen.latest(engine, scope.key))


def map_picture(data: Dataset, pack: Pack, scope: Scope) -> bytes:
    """The offline map of the pack's period and scope (small counts' circles left out when
    the pack hides them)."""
    from reports.map_picture import map_png

    cut = scope.cut(data)
    communes = committee.hidden_places(cut, pack.period, pack.threshold)
    return map_png(communes, cut.antennes, hide=pack.small_counts_hidden, threshold=pack.threshold)


def file_stem(pack: Pack) -> str:
    """ "comite-2025-01-01-au-2025-12-31-departement": the name of the downloaded files."""
    ascii_label = unicodedata.normalize("NFKD", pack.scope_label).encode("ascii", "ignore")
    scope = "".join(c if c.isalnum() else "-" for c in ascii_label.decode().lower())
    scope = "-".join(part for part in scope.split("-") if part)[:60] or "perimetre"
    return f"comite-{pack.du.isoformat()}-au-{pack.au.isoformat()}-{scope}"
