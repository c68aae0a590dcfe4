"""What happened to one file, as the command line prints it (`as_json`, the documented shape),
the import page shows it and the audit log records it (`audit_entry`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.schema import KIND_LABELS, Kind
from pipelines.mapping import ColumnMapping, suggestions
from pipelines.prepare import Prepared
from pipelines.shape import Shaped


@dataclass
class FileReport:
    """What happened to one file; `as_json` gives the CLI's documented shape."""

    fichier: str
    statut: str  # charge | deja_importe | rejete
    type: str | None = None
    association: str | None = None
    lignes_lues: int = 0
    lignes_chargees: int = 0
    lignes_en_quarantaine: int = 0
    lignes_ignorees: list[dict] = field(default_factory=list)  # no data: totals, sections
    forme: str = "tableau"  # tableau | journal | classeur (pipelines.shape)
    etapes: list[dict] = field(default_factory=list)  # an event log's labels and their step
    feuilles: list[dict] = field(default_factory=list)  # a workbook's sheets and their role
    erreurs: list[str] = field(default_factory=list)
    profil: str | None = None
    colonnes_non_reconnues: list[str] = field(default_factory=list)
    nouveaux: int = 0
    mis_a_jour: int = 0
    absents: int = 0
    import_id: int | None = None
    message: str = ""
    etapes_atteintes: dict[str, int] = field(default_factory=dict)
    profil_enregistre: str | None = None
    colonnes: list[dict] = field(default_factory=list)  # every header: field and certainty
    questions: list[dict] = field(default_factory=list)  # columns to answer (a_completer)
    valeurs_non_reconnues: list[dict] = field(default_factory=list)
    date_donnees: str | None = None  # ISO date the data describe
    origine_date_donnees: str | None = None  # titre | contenu | import
    association_creee: bool = False  # added to the referential by this import
    essai: bool = False  # a dry run: nothing was written

    def as_json(self) -> dict:
        return {
            "fichier": self.fichier,
            "statut": self.statut,
            "type": self.type,
            "association": self.association,
            "lignes_lues": self.lignes_lues,
            "lignes_chargees": self.lignes_chargees,
            "lignes_en_quarantaine": self.lignes_en_quarantaine,
            "lignes_ignorees": self.lignes_ignorees,
            "forme": self.forme,
            "etapes": self.etapes,
            "feuilles": self.feuilles,
            "erreurs": self.erreurs,
            "profil": self.profil,
            "colonnes_non_reconnues": self.colonnes_non_reconnues,
            "nouveaux": self.nouveaux,
            "mis_a_jour": self.mis_a_jour,
            "absents": self.absents,
            "etapes_nouvellement_atteintes": self.etapes_atteintes,
            "colonnes": self.colonnes,
            "questions": self.questions,
            "valeurs_non_reconnues": self.valeurs_non_reconnues,
            "date_donnees": self.date_donnees,
            "origine_date_donnees": self.origine_date_donnees,
            "association_creee": self.association_creee,
            "essai": self.essai,
            "message": self.message,
        }

    def audit_entry(self, sha256: str | None) -> tuple[str, str] | None:
        """(action, detail) for a file loaded, refused or left to complete ("referentiel"
        for the associations referential); None for a file already imported, which changed
        nothing. `sha256`: None when the file could not be read."""
        if self.statut not in ("charge", "rejete", "a_completer"):
            return None
        action = "referentiel" if self.type == Kind.ASSOCIATIONS.value else "import"
        sha = f"sha256 {sha256[:12]}" if sha256 is not None else "fichier illisible"
        detail = f"« {self.fichier} » ({sha}) : statut {self.statut}"
        if self.statut == "rejete":
            detail += f" — {self.erreurs[0] if self.erreurs else self.message}"
        elif self.statut == "a_completer":
            asked = ", ".join(
                f"« {q['en_tete']} »"
                if "en_tete" in q
                else f"étape « {q['etape']} »"
                if "etape" in q
                else f"feuille « {q['feuille']} »"
                for q in self.questions
            )
            detail += f" — colonnes à préciser : {asked}"
        else:
            who = f", {self.association}" if self.association else ""
            detail += (
                f" — {KIND_LABELS[Kind(self.type)]}{who}, import n° {self.import_id} : "
                f"{self.lignes_lues} lignes lues, {self.lignes_chargees} chargées, "
                f"{self.lignes_en_quarantaine} en quarantaine{self._aside()} ({self.nouveaux} "
                "nouvelles, "
                f"{self.mis_a_jour} mises à jour, {self.absents} absentes)"
            )
        return action, detail

    def _aside(self) -> str:
        n = len(self.lignes_ignorees)
        return f", {n} ignorée{'s' if n > 1 else ''} (totaux, intitulés)" if n else ""


def columns_report(
    mapping: ColumnMapping, header: list[str], hidden: frozenset[int] = frozenset()
) -> list[dict]:
    """Every non-empty header as written in the file, its field (None when not recognised)
    and the certainty (0-1); `masquee` for a column the sheet hides."""
    out = []
    for pos, text in enumerate(header):
        if not text:
            continue
        guess = mapping.guess(pos)
        name = mapping.columns.get(pos)
        entry: dict = {
            "en_tete": text,
            "champ": name,
            "certitude": round(mapping.certitude(pos) or 0.0, 2) if name else None,
        }
        if guess is not None and not name:
            entry["ressemble_a"] = guess.looks_like
            entry["a_preciser"] = guess.ask and not guess.fixed
            entry["suggestions"] = [n for n, _ in suggestions(guess)]
        if pos in hidden:
            entry["masquee"] = True
        out.append(entry)
    return out


def questions_report(mapping: ColumnMapping, shaped: Shaped | None = None) -> list[dict]:
    """What must be answered: the steps of an event log, then the columns."""
    steps = shaped.questions if shaped is not None else []
    return steps + [
        {
            "en_tete": q.header,
            "ressemble_a": q.looks_like,
            "suggestions": [n for n, _ in suggestions(q)],
        }
        for q in mapping.questions
    ]


SHOWN_LINES = 10


def steps_words(steps: list[dict]) -> str | None:
    """An event log's labels and their steps, in one French sentence (None for a table)."""
    if not steps:
        return None
    kept = [s for s in steps if s["champ"]]
    dropped = [s for s in steps if not s["champ"]]
    text = "Journal d'événements : " + "; ".join(
        f"« {s['libelle']} » → {s['champ']} ({s['lignes']})" for s in kept
    )
    if dropped:
        text += " ; non repris : " + ", ".join(
            f"« {s['libelle']} » ({s['lignes']})" for s in dropped
        )
    return text + "."


def set_aside_words(rows: list[dict]) -> str | None:
    """The rows set aside, in one French sentence (None when there are none)."""
    if not rows:
        return None
    n = len(rows)
    lines = ", ".join(f"{r['ligne']} ({r['motif']})" for r in rows[:SHOWN_LINES])
    more = f" et {n - SHOWN_LINES} autres" if n > SHOWN_LINES else ""
    plural = "s" if n > 1 else ""
    return (
        f"{n} ligne{plural} ignorée{plural} : ce ne sont pas des données (totaux, intitulés "
        f"de section), ni chargée{plural} ni en quarantaine — ligne{plural} {lines}{more}."
    )


def set_aside_report(prepared: Prepared) -> list[dict]:
    """The rows set aside as no data, in file order: `ligne`, `motif`."""
    return [
        {"ligne": int(r.ligne), "motif": r.motif}
        for r in prepared.set_aside.sort_values("ligne").itertuples()
    ]


def unknown_report(prepared: Prepared) -> list[dict]:
    """The labels no value table knew, most frequent first."""
    frame = prepared.unknown.sort_values(["lignes", "champ"], ascending=[False, True])
    return [
        {"champ": r.champ, "valeur": r.valeur, "lignes": int(r.lignes)} for r in frame.itertuples()
    ]
