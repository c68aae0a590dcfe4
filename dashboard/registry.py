"""Every page of the app, declared once: file, title, icon, the rights that open it and
what it may write. The router (app.py), the access check of each page
(`dashboard.access.require`), the page benchmark and the tests all read this list.

What each role may do is granted in one place, `auth.roles.RIGHTS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from auth.roles import Identity, Right, Role, roles_with


@dataclass(frozen=True)
class Page:
    stem: str  # pages/<stem>.py
    title: str
    icon: str  # a Material icon name: shipped with Streamlit, nothing fetched
    opened_by: tuple[Right, ...] = ()  # any of these rights opens it; () = every role
    writes: str = ""  # what the page may change in the database, in French ("" = nothing)
    ignores: str = ""  # the filters some of its figures do not follow, and why, in French

    @property
    def path(self) -> str:
        return f"pages/{self.stem}.py"

    @property
    def roles(self) -> tuple[Role, ...]:
        return roles_with(*self.opened_by)


PAGES: tuple[Page, ...] = (
    Page(
        "synthese",
        "Synthèse",
        ":material/dashboard:",
        ignores="le début de la période pour les binômes actifs et les alertes de conformité "
        "(situation à la date de fin, toutes cohortes confondues)",
    ),
    Page("entonnoir", "Entonnoir", ":material/filter_alt:"),
    Page(
        "honorabilite",
        "Honorabilité",
        ":material/verified_user:",
        ignores="canal, territoire, rural / urbain, âge et type d'accueil : les demandes "
        "d'honorabilité concernent les mentors, seul le filtre d'association s'y applique",
    ),
    Page(
        "associations",
        "Associations",
        ":material/groups:",
        ignores="le début de la période pour la charge et les jeunes en attente (situation à "
        "la date de fin) ; tous les filtres pour l'aide à l'orientation d'une fiche",
    ),
    Page(
        "territoires",
        "Territoires",
        ":material/map:",
        ignores="le début de la période pour les communes non couvertes (jeunes en attente à "
        "la date de fin)",
    ),
    Page(
        "durees",
        "Durée des binômes",
        ":material/timelapse:",
        ignores="le début de la période quand « Tous les binômes démarrés » est choisi "
        "(binômes démarrés au plus tard à la date de fin)",
    ),
    Page(
        "suivi_binomes",
        "Suivi des binômes",
        ":material/handshake:",
        ignores="le début de la période pour les binômes actifs, les rencontres, le rythme "
        "et la satisfaction (situation à la date de fin)",
    ),
    Page(
        "qualite",
        "Qualité et conformité",
        ":material/rule:",
        ignores="le début de la période : score, complétude et alertes portent sur tous les "
        "parcours connus à la date de fin",
    ),
    Page(
        "comite",
        "Comité de pilotage",
        ":material/co_present:",
        writes="packs figés pour un comité (administrateur)",
    ),
    Page(
        "importer",
        "Importer",
        ":material/upload_file:",
        (Right.IMPORT_ANY_FILE, Right.IMPORT_OWN_EXPORTS),
        "imports, correspondances de colonnes enregistrées, associations ajoutées",
    ),
    Page("modeles", "Modèles et rapports", ":material/description:"),
    Page(
        "donnees",
        "Données consolidées",
        ":material/database:",
        writes="annulation d'un import (administrateur)",
    ),
    Page(
        "journal",
        "Journal d'audit",
        ":material/history:",
        (Right.READ_AUDIT_LOG,),
        "purge des entrées de plus de 12 mois",
    ),
    Page(
        "comptes",
        "Comptes",
        ":material/manage_accounts:",
        (Right.MANAGE_ACCOUNTS,),
        "comptes : création, rôle et association, activation, déblocage, mot de passe, fin "
        "des sessions",
    ),
)
HOME = "synthese"  # the default page, and the one that shows the sign-in form
BY_STEM = {page.stem: page for page in PAGES}


def page(stem: str) -> Page:
    """The page declared for pages/<stem>.py; KeyError for a file not declared here."""
    return BY_STEM[stem]


def pages_for(identity: Identity | None) -> list[Page]:
    """The pages this identity may open, in menu order (none before sign-in)."""
    if identity is None:
        return []
    return [p for p in PAGES if identity.role in p.roles]
