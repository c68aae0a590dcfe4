"""Frames shaped for display: French headers, French labels, French dates."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.formatting import PARIS, day
from domain.schema import FIELDS, KIND_LABELS, ORIGIN_LABELS, Kind
from domain.values import category_labels

NOT_SENT = "(fiche pas encore envoyée à une association)"


def paris(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(PARIS)


def parcours_table(frame: pd.DataFrame) -> pd.DataFrame:
    canals = category_labels("canal")
    return pd.DataFrame(
        {
            "Association": frame["association"].fillna(NOT_SENT),
            "Canal": frame["canal"].map(lambda c: canals.get(c, c)),
            "Parcours": frame["parcours"].astype(int),
            "Démarrés": frame["demarres"].astype(int),
            "Terminés": frame["termines"].astype(int),
            "Absents du dernier export": frame["absents"].astype(int),
        }
    )


def freshness_table(frame: pd.DataFrame, today: dt.date | None = None) -> pd.DataFrame:
    """Per source: when it was last imported, the date its data describe and where that
    date comes from, and how old the data are."""
    today = today or dt.datetime.now(PARIS).date()
    moments = frame["dernier_import"].map(paris)
    return pd.DataFrame(
        {
            "Source": frame["type"].map(lambda k: KIND_LABELS[Kind(k)]),
            "Association": frame["association"].fillna("—"),
            "Dernier import": moments.map(lambda m: day(m.date())),
            "Données au": frame["date_donnees"].map(day),
            "D'après": frame["origine_date_donnees"].map(lambda o: ORIGIN_LABELS.get(o, "")),
            "Ancienneté (jours)": frame["date_donnees"].map(lambda d: (today - d).days),
        }
    )


def history_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "N°": frame["id"],
            "Importé le": frame["importe_le"].map(lambda m: f"{paris(m):%d/%m/%Y %H:%M}"),
            "Par": frame["utilisateur"],
            "Fichier": frame["fichier"],
            "Type": frame["type"].map(lambda k: KIND_LABELS[Kind(k)]),
            "Association": frame["association"].fillna("—"),
            "Lignes lues": frame["lignes_lues"],
            "Chargées": frame["lignes_chargees"],
            "En quarantaine": frame["lignes_en_quarantaine"],
            "Nouvelles": frame["nouveaux"],
            "Mises à jour": frame["mis_a_jour"],
            "Absentes": frame["absents"],
            "SHA-256": frame["sha256"].str.slice(0, 12) + "…",
        }
    )


def interrupted_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The imports stopped before their commit (nothing of them was written)."""
    return pd.DataFrame(
        {
            "Fichier": frame["fichier"],
            "Type": frame["type"].map(lambda k: KIND_LABELS[Kind(k)]),
            "Association": frame["association"].fillna("—"),
            "Par": frame["utilisateur"],
            "Commencé le": frame["commence_le"].map(lambda m: f"{paris(m):%d/%m/%Y %H:%M}"),
            "Constaté le": frame["interrompu_le"].map(lambda m: f"{paris(m):%d/%m/%Y %H:%M}"),
        }
    )


def undo_label(row) -> str:
    """ "n° 12 – export.csv (Envol Mentorat Nord, 26/11/2026 20:05)"; an import without
    association (CD fiches, B2 follow-up) is named by its kind, never « nan »."""
    named = isinstance(row.association, str) and row.association.strip()
    who = row.association if named else KIND_LABELS[Kind(row.type)]
    return f"n° {row.id} – {row.fichier} ({who}, {paris(row.importe_le):%d/%m/%Y %H:%M})"


def unknown_labels_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The unknown labels of the latest imports, in French."""
    names = {"commune": "Commune"}
    for fields in FIELDS.values():
        names.update({f.name: f.label for f in fields})
    return pd.DataFrame(
        {
            "Association": frame["association"].fillna("— (fichier du CD)"),
            "Fichier": frame["fichier"],
            "Champ": frame["champ"].map(lambda c: names.get(c, c)),
            "Libellé": frame["valeur"],
            "Lignes": frame["lignes"].astype(int),
        }
    )
