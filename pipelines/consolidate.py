"""The *consolidate* stage: source records become one parcours per youth and association.

Pure function over frames (docs/domaine.md, « Consolidation »): a CD fiche and the association
record of the same youth are one parcours when the fiche was sent to that association, or
when the fiche names no association and the youth has exactly one association record. Each
step date comes from the source that owns the step; the honorabilité follow-up joins on
`id_mentor`.
"""

from __future__ import annotations

import pandas as pd

from domain.schema import FOLLOW_UP_FIELDS
from domain.text import normalise_key
from store.models import Parcours

# Fields where the CD's fiche is the better source (the youth's situation as the CD knows it).
FICHE_FIRST = [
    "date_proposition",
    "initiateur",
    "annee_naissance",
    "age_inscription",
    "sexe",
    "commune_insee",
    "type_accueil",
    "etablissement",
    "territoire",
]
# Fields where the association's record is the better source (the binôme as it runs).
ASSOCIATION_FIRST = ["objectifs", "modalite", "date_autorisation_parentale"]
ASSOCIATION_ONLY = [
    "id_mentor",
    "date_mise_en_relation",
    "date_convention",
    "date_debut",
    "date_fin",
    "motif_fin",
    *FOLLOW_UP_FIELDS,
]

# Every column of the parcours table but its key: what consolidation must produce.
PARCOURS_COLUMNS = [c.name for c in Parcours.__table__.columns if c.name != "id"]


def _association_key(names: pd.Series) -> pd.Series:
    return names.map(lambda n: normalise_key(n) if isinstance(n, str) and n else pd.NA)


def link_fiches(records: pd.DataFrame, fiches: pd.DataFrame) -> pd.Series:
    """For each fiche (by index), the index of the association record it joins, or <NA>."""
    if fiches.empty or records.empty:
        return pd.Series(pd.NA, index=fiches.index, dtype="Int64")
    recs = pd.DataFrame(
        {
            "rec": records.index,
            "id_jeune": records["id_jeune"].to_numpy(),
            "cle": _association_key(records["association"]).to_numpy(),
        }
    )
    fic = pd.DataFrame(
        {
            "fiche": fiches.index,
            "id_jeune": fiches["id_jeune"].to_numpy(),
            "cle": _association_key(fiches["association"]).to_numpy(),
            "date_inscription": fiches["date_inscription"].to_numpy(),
        }
    )
    named = fic[fic["cle"].notna()].merge(recs, on=["id_jeune", "cle"], how="inner")
    unnamed = fic[fic["cle"].isna()].drop(columns="cle")
    single = recs.groupby("id_jeune").filter(lambda g: len(g) == 1) if len(recs) else recs
    unnamed = unnamed.merge(single.drop(columns="cle"), on="id_jeune", how="inner")
    pairs = pd.concat([named, unnamed], ignore_index=True)
    # A record takes one fiche: the earliest (a fiche sent twice is one journey).
    pairs = pairs.sort_values(["date_inscription", "fiche"]).drop_duplicates("rec", keep="first")
    pairs = pairs.drop_duplicates("fiche", keep="first")
    linked = pd.Series(pd.NA, index=fiches.index, dtype="Int64")
    linked.loc[pairs["fiche"].to_numpy()] = pairs["rec"].to_numpy()
    return linked


def honorabilite_by_mentor(demandes: pd.DataFrame) -> pd.DataFrame:
    """Per mentor: first favourable return, first unfavourable return, and a summary result."""
    cols = ["date_honorabilite", "date_honorabilite_defavorable", "resultat_honorabilite"]
    if demandes.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="id_mentor"))
    d = demandes
    fav = d[d["resultat"] == "favorable"].groupby("id_mentor")["date_retour"].min()
    defav = d[d["resultat"] == "defavorable"].groupby("id_mentor")["date_retour"].min()
    pending = d[d["date_retour"].isna()].groupby("id_mentor").size()
    out = pd.DataFrame(index=pd.Index(d["id_mentor"].unique(), name="id_mentor"))
    out["date_honorabilite"] = fav
    out["date_honorabilite_defavorable"] = defav
    result = pd.Series(pd.NA, index=out.index, dtype="object")
    result[out.index.isin(pending.index)] = "en_attente"
    result[out["date_honorabilite"].notna()] = "favorable"
    result[out["date_honorabilite_defavorable"].notna()] = "defavorable"
    out["resultat_honorabilite"] = result
    return out


def consolidate(records: pd.DataFrame, demandes: pd.DataFrame) -> pd.DataFrame:
    """All source records and honorabilité requests → the parcours table (PARCOURS_COLUMNS).

    `records` has the columns of the `enregistrement` table (dates as datetime64, missing as
    NaT); `demandes` those of `demande_honorabilite`.
    """
    assoc = records[records["type_source"] == "association"]
    fiches = records[records["type_source"] == "fiche_cd"]
    link = link_fiches(assoc, fiches)
    joined = fiches.loc[link.notna()].assign(rec=link[link.notna()]).set_index("rec")
    m = assoc.join(joined.add_prefix("f_"), how="left")
    has_fiche = m["f_id_source"].notna()

    def fiche_or_assoc(col: str) -> pd.Series:
        return m["f_" + col].where(has_fiche).combine_first(m[col])

    def assoc_or_fiche(col: str) -> pd.Series:
        return m[col].combine_first(m["f_" + col].where(has_fiche))

    out = pd.DataFrame(index=m.index)
    out["association"] = m["association"]
    out["id_source"] = m["id_source"]
    out["id_fiche"] = m["f_id_source"]
    out["id_jeune"] = m["id_jeune"]
    for col in [*FICHE_FIRST, "date_inscription"]:
        out[col] = fiche_or_assoc(col)
    for col in ASSOCIATION_FIRST:
        out[col] = assoc_or_fiche(col)
    for col in ASSOCIATION_ONLY:
        out[col] = m[col]
    # Attribution: the day the CD sent the fiche on, else the association's inscription.
    own_attribution = m["date_attribution"].combine_first(m["date_inscription"])
    out["date_attribution"] = (
        m["f_date_attribution"].where(has_fiche).combine_first(own_attribution)
    )
    out["canal"] = "association_directe"
    out.loc[m["canal"] == "plateforme_1j1m", "canal"] = "plateforme_1j1m"
    out.loc[has_fiche, "canal"] = "fiche_cd"
    out["absent_dernier_export"] = m["absent_depuis_import_id"].notna()
    out["_b2_date"] = m["date_honorabilite"]
    out["_b2_result"] = m["resultat_honorabilite"]

    # Fiches that joined no association record are parcours of their own.
    alone = fiches.loc[link.isna()]
    lone = pd.DataFrame(index=alone.index)
    lone["id_fiche"] = alone["id_source"]
    for col in ["association", "id_source", "id_jeune", *FICHE_FIRST, *ASSOCIATION_FIRST]:
        lone[col] = alone[col]
    lone["date_inscription"] = alone["date_inscription"]
    lone["date_attribution"] = alone["date_attribution"]
    lone["canal"] = "fiche_cd"
    lone["absent_dernier_export"] = False

    parcours = pd.concat([out, lone], ignore_index=True)
    parcours = _attach_honorabilite(parcours, demandes)
    for col in PARCOURS_COLUMNS:
        if col not in parcours:
            parcours[col] = None
    return parcours[PARCOURS_COLUMNS]


def _attach_honorabilite(parcours: pd.DataFrame, demandes: pd.DataFrame) -> pd.DataFrame:
    """The follow-up wins; an association's own B2 date column fills in when it has nothing."""
    checks = honorabilite_by_mentor(demandes)
    joined = parcours.join(checks, on="id_mentor") if len(checks) else parcours
    for col in ("date_honorabilite", "date_honorabilite_defavorable", "resultat_honorabilite"):
        if col not in joined:
            joined[col] = None
    own_defav = joined["_b2_result"] == "defavorable"
    own_fav = joined["_b2_date"].notna() & ~own_defav
    no_check = joined["resultat_honorabilite"].isna()
    joined.loc[no_check & own_fav, "date_honorabilite"] = joined.loc[no_check & own_fav, "_b2_date"]
    joined.loc[no_check & own_fav, "resultat_honorabilite"] = "favorable"
    joined.loc[no_check & own_defav, "date_honorabilite_defavorable"] = joined.loc[
        no_check & own_defav, "_b2_date"
    ]
    joined.loc[no_check & own_defav, "resultat_honorabilite"] = "defavorable"
    return joined.drop(columns=["_b2_date", "_b2_result"])
