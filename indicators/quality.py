"""Data quality per association: completeness of the fields, freshness of the exports,
rows quarantined, compliance alerts, and a score 0-100 with its reasons."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.formatting import PARIS, number, percent
from domain.steps import ADULT_AGE
from indicators import compliance
from indicators.dataset import Dataset, memoized
from indicators.stats import as_of, known_by

# Weights of the score (points out of 100) and the thresholds that take them away.
WEIGHT_COMPLETENESS = 40  # × the mean completeness of the fields
WEIGHT_FRESHNESS = 20  # full up to FRESH_DAYS since the last import, none from STALE_DAYS
WEIGHT_QUARANTINE = 15  # full without quarantine, none from QUARANTINE_MAX of rows read
WEIGHT_COMPLIANCE = 25  # full without alerts, none from COMPLIANCE_MAX alerts per parcours
FRESH_DAYS, STALE_DAYS = 45, 90
QUARANTINE_MAX = 0.10
COMPLIANCE_MAX = 0.10
WEIGHTED_GRAVITY = {1: 1.0, 2: 0.5, 3: 0.25}  # an alert's weight by its gravity

# field -> (French label, which parcours should have it)
FIELDS = {
    "sexe": ("Sexe", "tous"),
    "age_inscription": ("Âge à l'inscription", "tous"),
    "commune_insee": ("Commune", "tous"),
    "type_accueil": ("Type d'accueil", "tous"),
    "objectifs": ("Objectifs", "tous"),
    "initiateur": ("Initiateur", "tous"),
    "date_autorisation_parentale": ("Autorisation parentale (mineurs)", "mineurs attribués"),
    "id_mentor": ("Mentor", "mis en relation"),
    "modalite": ("Modalité", "mis en relation"),
    "date_convention": ("Date de convention", "démarrés"),
}

DEFINITION = (
    "**Parcours pris en compte** : ceux des associations connus à la date d'observation "
    "(inscrits au plus tard ce jour-là, ou sans date d'inscription).\n\n"
    "**Complétude** : part des parcours où le champ est renseigné, parmi ceux qui doivent "
    "l'avoir : tous pour le sexe, l'âge, la commune, le type d'accueil, les objectifs et "
    "l'initiateur ; les jeunes mineurs à l'inscription dont l'attribution est connue pour "
    "l'autorisation parentale ; les parcours mis en relation (ou plus loin) pour le mentor "
    "et la modalité ; les binômes démarrés pour la date de convention.\n\n"
    "**Fraîcheur** : jours entre le dernier import de l'association et la date "
    "d'observation (0 si l'import est postérieur).\n\n"
    "**Quarantaine** : lignes mises en quarantaine rapportées aux lignes lues, sur tous "
    "les imports de l'association.\n\n"
    f"**Score sur 100** : complétude moyenne × {WEIGHT_COMPLETENESS} points ; fraîcheur "
    f"{WEIGHT_FRESHNESS} points jusqu'à {FRESH_DAYS} jours, dégressifs jusqu'à 0 à "
    f"{STALE_DAYS} jours (0 sans import connu) ; quarantaine {WEIGHT_QUARANTINE} points "
    f"sans quarantaine, dégressifs jusqu'à 0 à {percent(QUARANTINE_MAX)} des lignes lues ; "
    f"conformité {WEIGHT_COMPLIANCE} points sans alerte, dégressifs jusqu'à 0 quand les "
    f"alertes pondérées atteignent {percent(COMPLIANCE_MAX)} des parcours (une alerte "
    "critique compte 1, majeure 0,5, à vérifier 0,25). Les raisons listent chaque "
    "composante qui fait perdre des points."
)

QUALITY_COLUMNS = [
    "association",
    "parcours",
    "completude",
    "dernier_import",
    "jours_depuis_import",
    "part_quarantaine",
    "alertes",
    "alertes_critiques",
    "dates_desordre",
    "score",
    "raisons",
]


def _expected(p: pd.DataFrame, au: dt.date) -> dict[str, pd.Series]:
    """Per field: which parcours should have it (boolean Series)."""
    age = p["age_inscription"]
    minor = (age.notna() & (age < ADULT_AGE)).fillna(False).astype(bool)
    everyone = pd.Series(True, index=p.index)
    matched = pd.Series(False, index=p.index)
    for col in ("date_mise_en_relation", "date_convention", "date_debut"):
        matched |= known_by(p[col], au).notna()
    started = known_by(p["date_debut"], au).notna()
    groups = {
        "tous": everyone,
        "mineurs attribués": minor & known_by(p["date_attribution"], au).notna(),
        "mis en relation": matched,
        "démarrés": started,
    }
    return {field: groups[who] for field, (_label, who) in FIELDS.items()}


def _present(p: pd.DataFrame, field: str, au: dt.date) -> pd.Series:
    values = p[field]
    if field.startswith("date_"):
        return known_by(values, au).notna()
    return values.notna() & (values.astype("object").astype(str).str.strip() != "")


@memoized
def completeness(dataset: Dataset, au: dt.date) -> pd.DataFrame:
    """Association × field: share (0-1, 4 decimals) of the association's parcours known at
    `au` that have the field, among those that should (None when none should).
    Columns: `association`, then one per field of FIELDS (keys)."""
    p = compliance.known_parcours(dataset, au)
    p = p[p["association"].notna()]
    expected = _expected(p, au)
    should = pd.DataFrame({field: expected[field] for field in FIELDS}, index=p.index)
    has = pd.DataFrame(
        {field: _present(p, field, au) & expected[field] for field in FIELDS}, index=p.index
    )
    # One grouping of the association names for every field (each costs ≈ 10 ms).
    total = should.groupby(p["association"]).sum()
    good = has.groupby(p["association"]).sum()
    frame = (good / total.where(total > 0)).round(4)
    frame.index.name = "association"
    frame = frame.sort_index().reset_index()
    for field in FIELDS:
        values = frame[field].astype("object")
        frame[field] = values.where(values.notna(), None)
    return frame


def _points(value: float, full_until: float, zero_at: float) -> float:
    """1 up to `full_until`, 0 from `zero_at`, linear in between."""
    if value <= full_until:
        return 1.0
    if value >= zero_at:
        return 0.0
    return (zero_at - value) / (zero_at - full_until)


def _import_day(value) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    moment = pd.Timestamp(value)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment
    return moment.tz_convert(PARIS).date()


def _data_day(row) -> dt.date | None:
    """The date the association's latest export describes (its import day before it was
    recorded)."""
    given = row.get("date_donnees") if hasattr(row, "get") else None
    if given is not None and not pd.isna(given):
        return pd.Timestamp(given).date()
    return _import_day(row["dernier_import"])


def quality(dataset: Dataset, au: dt.date, imports: pd.DataFrame) -> pd.DataFrame:
    """One row per association with parcours known at `au` (QUALITY_COLUMNS):
    `completude` (mean of the field shares, 0-1), `dernier_import` (the date the latest
    export's data describe, or None), `jours_depuis_import` (days since that date; None
    without import), `part_quarantaine` (0-1, None without rows
    read), `alertes`, `alertes_critiques`, `dates_desordre` (compliance alerts), `score`
    (0-100, whole number) and `raisons` (French sentences, "; "-separated). Lowest score
    first. `imports` is `store.queries.imports_by_association`."""
    fields = completeness(dataset, au)
    if fields.empty:
        return pd.DataFrame(columns=QUALITY_COLUMNS)
    p = compliance.known_parcours(dataset, au)
    sizes = p.groupby("association").size()
    found = compliance.alerts(dataset, au)
    found = found[found["association"].notna()]
    by_import = imports.set_index("association") if not imports.empty else pd.DataFrame()
    reference = as_of(au).date()
    rows = []
    for record in fields.to_dict("records"):
        name = record["association"]
        shares = {f: record[f] for f in FIELDS if record[f] is not None}
        mean = sum(shares.values()) / len(shares) if shares else 1.0
        mine = found[found["association"] == name]
        n = int(sizes.get(name, 0))
        weighted = float(mine["gravite"].map(WEIGHTED_GRAVITY).sum())
        last, days, quarantine = None, None, None
        if name in by_import.index:
            row = by_import.loc[name]
            last = _data_day(row)
            days = max(0, (reference - last).days) if last else None
            read = int(row["lignes_lues"] or 0)
            quarantine = round(int(row["lignes_en_quarantaine"] or 0) / read, 4) if read else None
        score_parts = {
            "completude": WEIGHT_COMPLETENESS * mean,
            "fraicheur": WEIGHT_FRESHNESS
            * (0.0 if days is None else _points(days, FRESH_DAYS, STALE_DAYS)),
            "quarantaine": WEIGHT_QUARANTINE * _points(quarantine or 0.0, 0.0, QUARANTINE_MAX),
            "conformite": WEIGHT_COMPLIANCE
            * _points(weighted / n if n else 0.0, 0.0, COMPLIANCE_MAX),
        }
        reasons = []
        weakest = sorted(shares.items(), key=lambda kv: kv[1])
        if mean < 1:
            missing = [f"{FIELDS[f][0].lower()} ({percent(s)})" for f, s in weakest if s < 1][:3]
            reasons.append(
                f"Complétude moyenne de {percent(round(mean, 4))} : champs les moins "
                f"renseignés : {', '.join(missing)}."
            )
        if days is None:
            reasons.append("Aucun import de l'association n'est enregistré.")
        elif days > FRESH_DAYS:
            reasons.append(
                f"Données du dernier export vieilles de {number(days)} jours "
                f"(au-delà de {FRESH_DAYS})."
            )
        if quarantine:
            reasons.append(f"{percent(quarantine)} des lignes lues ont été mises en quarantaine.")
        if len(mine):
            critical = int((mine["gravite"] == 1).sum())
            reasons.append(
                f"{number(len(mine))} alerte{'s' if len(mine) > 1 else ''} de conformité, "
                f"dont {number(critical)} critique{'s' if critical > 1 else ''}."
            )
        rows.append(
            {
                "association": name,
                "parcours": n,
                "completude": round(mean, 4),
                "dernier_import": last,
                "jours_depuis_import": days,
                "part_quarantaine": quarantine,
                "alertes": len(mine),
                "alertes_critiques": int((mine["gravite"] == 1).sum()),
                "dates_desordre": int((mine["regle"] == "dates_desordre").sum()),
                "score": round(sum(score_parts.values())),
                "raisons": " ".join(reasons) if reasons else "Aucun point faible relevé.",
            }
        )
    out = pd.DataFrame(rows, columns=QUALITY_COLUMNS)
    return out.sort_values(["score", "association"]).reset_index(drop=True)
