"""Every `PILOTAGE_*` environment variable, declared once: the registry every module asks.

A module reads a setting through its record (`settings.STUCK_DAYS.value()`), names it
through the record (`settings.DB_URL.env`), and never writes the variable's name itself:
this is the one module of the application where those names are written (the fault
injection of the reliability tests, `pipelines/faults.py`, may write its own). The README's
settings table is generated from these records (`make docs`, `commands/reference.py`) and
`tests/test_docs.py` fails when it differs, so what a record says is what the README says.

Pure Python: imports nothing of the project and never Streamlit, so every layer may use it.
"""

from __future__ import annotations

from settings.setting import Kind, Setting, SettingError

__all__ = ["PREFIX", "SETTINGS", "Kind", "Setting", "SettingError", "by_env"]

PREFIX = "PILOTAGE_"  # every setting's name starts with it

# --- where the data are ------------------------------------------------------------------

DB_URL = Setting(
    "PILOTAGE_DB_URL",
    Kind.URL,
    "base de données (SQLAlchemy) : `sqlite:///chemin.db` ou `postgresql://utilisateur@hôte/base`",
    shown_default="`sqlite:///data/pilotage.db` (mode WAL)",
)
SNAPSHOT_DIR = Setting(
    "PILOTAGE_SNAPSHOT_DIR",
    Kind.PATH,
    "dossier de l'instantané du jeu de données (fichiers Parquet relus au démarrage du "
    "serveur au lieu de la base, reconstruits après chaque import ou annulation, droits "
    "0600 ; un sous-dossier par base)",
    shown_default="à côté d'une base SQLite (`data/pilotage.db.snapshot/`), "
    "`data/snapshots/` pour PostgreSQL",
)
SECRET_KEY = Setting(
    "PILOTAGE_SECRET_KEY",
    Kind.SECRET,
    "clé de pseudonymisation (au moins 32 caractères)",
    secrets_key="cle_pseudonymisation",
)
SECRET_KEY_FILE = Setting(
    "PILOTAGE_SECRET_KEY_FILE",
    Kind.PATH,
    f"fichier contenant la clé, lu quand ni `{SECRET_KEY.env}` ni `{SECRET_KEY.secrets_key}` "
    "de `[pilotage]` dans `.streamlit/secrets.toml` ne sont définis",
    shown_default="`data/cle_pseudonymisation.key`",
)

# --- the département served ------------------------------------------------------------

DEPARTEMENT = Setting(
    "PILOTAGE_DEPARTEMENT",
    Kind.TEXT,
    "code du département servi par l'instance (`59`, `2A`, `974`…) : la carte dessine ses "
    "communes, les communes non couvertes y sont cherchées, et les jours ouvrés des délais "
    "d'honorabilité suivent ses jours fériés (Alsace-Moselle, outre-mer)",
    shown_default="`59` (le Nord, celui de la démonstration)",
)

# --- figures -----------------------------------------------------------------------------

_SMALL_COUNTS = 11  # counts from 1 to 10 are hidden
SMALL_COUNTS_THRESHOLD = Setting(
    "PILOTAGE_SEUIL_PETITS_EFFECTIFS",
    Kind.INTEGER,
    "seuil des petits effectifs : de 1 à seuil − 1, masqués (« < 11 ») hors admin/direction "
    "et dans tout export ; 0 ou 1 : rien n'est masqué",
    default=_SMALL_COUNTS,
    minimum=0,
    advice=f"indiquez un nombre entier positif ou nul, par exemple {_SMALL_COUNTS} pour "
    f"masquer les effectifs de 1 à {_SMALL_COUNTS - 1}.",
)
_STUCK_DAYS = 90  # a quarter without news: three monthly exports
STUCK_DAYS = Setting(
    "PILOTAGE_JOURS_PARCOURS_BLOQUE",
    Kind.INTEGER,
    "un parcours est « bloqué » sans nouvelle étape depuis au moins ce nombre de jours : le "
    "même seuil sur la Synthèse, l'Entonnoir, la ligne de commande et les exports",
    default=_STUCK_DAYS,
    minimum=1,
    advice=f"indiquez un nombre entier de jours, au moins 1 (par exemple {_STUCK_DAYS}).",
)

_SILENT_DAYS = 30  # the mentoring guide: at least one meeting a month
SILENT_DAYS = Setting(
    "PILOTAGE_JOURS_SANS_RENCONTRE",
    Kind.INTEGER,
    "un binôme actif est « sans rencontre » quand sa dernière rencontre date de plus de ce "
    "nombre de jours (page Suivi des binômes, ligne de commande)",
    default=_SILENT_DAYS,
    minimum=1,
    advice=f"indiquez un nombre entier de jours, au moins 1 (par exemple {_SILENT_DAYS}).",
)
MEETINGS_PER_MONTH_MIN = Setting(
    "PILOTAGE_RENCONTRES_MOIS_MIN",
    Kind.INTEGER,
    "rythme des rencontres : borne basse de la norme du guide du mentorat, en rencontres "
    "par mois (incluse)",
    default=2,
    minimum=0,
)
MEETINGS_PER_MONTH_MAX = Setting(
    "PILOTAGE_RENCONTRES_MOIS_MAX",
    Kind.INTEGER,
    "rythme des rencontres : borne haute de la norme du guide du mentorat, en rencontres "
    "par mois (incluse)",
    default=4,
    minimum=1,
)

# --- sign-in -----------------------------------------------------------------------------

OIDC_CLAIM_ROLE = Setting(
    "PILOTAGE_OIDC_CLAIM_ROLE",
    Kind.TEXT,
    "revendication du jeton OIDC qui porte le rôle ; sans revendication, le rôle est lu dans "
    "la table des comptes par e-mail",
    secrets_key="role_claim",
)
OIDC_CLAIM_ASSOCIATION = Setting(
    "PILOTAGE_OIDC_CLAIM_ASSOCIATION",
    Kind.TEXT,
    "revendication qui porte le nom de l'association (rôle `association`)",
    secrets_key="association_claim",
)
NEW_PASSWORD = Setting(
    "PILOTAGE_NOUVEAU_MOT_DE_PASSE",
    Kind.SECRET,
    "mot de passe de `users add` et `users password` sans le demander (scripts, "
    "installation automatisée) ; à ne définir que le temps de la commande",
    shown_default="— (demandé au clavier)",
)
FAILURES_BEFORE_LOCK = Setting(
    "PILOTAGE_ECHECS_AVANT_BLOCAGE",
    Kind.INTEGER,
    "nombre d'échecs de connexion consécutifs qui bloquent un compte",
    default=5,
    minimum=1,
    maximum=100,
)
LOCK_MINUTES = Setting(
    "PILOTAGE_DUREE_BLOCAGE_MINUTES",
    Kind.INTEGER,
    "durée du blocage, en minutes",
    default=15,
    minimum=1,
    maximum=7 * 24 * 60,
)
SESSION_HOURS = Setting(
    "PILOTAGE_DUREE_SESSION_HEURES",
    Kind.INTEGER,
    "durée d'une connexion avec un compte local, en heures ; recharger la page ne la prolonge pas",
    default=8,
    minimum=1,
    maximum=24,
    unit="d'heures",
)
BEHIND_PROXY = Setting(
    "PILOTAGE_DERRIERE_PROXY",
    Kind.FLAG,
    "`1` : le serveur est derrière un proxy inverse qui écrit `X-Forwarded-Proto` ; le cookie "
    "de connexion est alors `Secure` quand cet en-tête vaut `https`. Sans ce réglage, "
    "l'en-tête est ignoré (un visiteur pourrait l'écrire) : le cookie n'est `Secure` que si "
    "Streamlit sert lui-même le HTTPS (`server.sslCertFile`)",
    default=False,
)

# --- diagnosis ---------------------------------------------------------------------------

DEBUG = Setting(
    "PILOTAGE_DEBUG",
    Kind.FLAG,
    "`1` : journalise le détail technique d'une erreur inattendue",
    default=False,
)

# --- the test suite alone ----------------------------------------------------------------

TEST_PG_URL = Setting(
    "PILOTAGE_TEST_PG_URL",
    Kind.URL,
    "fait aussi tourner les tests de base de données sur PostgreSQL (chaque test dans son "
    "propre schéma)",
    test_only=True,
)
KILL_AT = Setting(
    "PILOTAGE_KILL_AT",
    Kind.TEXT,
    "tue le processus (SIGKILL) au point d'import nommé (`pipelines/faults.py`) ; jamais "
    "en production",
    test_only=True,
)
CAPTURES = Setting(
    "PILOTAGE_CAPTURES",
    Kind.FLAG,
    "`1` : les tests navigateur refont aussi les captures du README (`docs/captures/`)",
    default=False,
    test_only=True,
)

SETTINGS: tuple[Setting, ...] = (
    DB_URL,
    SNAPSHOT_DIR,
    SECRET_KEY,
    SECRET_KEY_FILE,
    DEPARTEMENT,
    SMALL_COUNTS_THRESHOLD,
    STUCK_DAYS,
    SILENT_DAYS,
    MEETINGS_PER_MONTH_MIN,
    MEETINGS_PER_MONTH_MAX,
    OIDC_CLAIM_ROLE,
    OIDC_CLAIM_ASSOCIATION,
    NEW_PASSWORD,
    FAILURES_BEFORE_LOCK,
    LOCK_MINUTES,
    SESSION_HOURS,
    BEHIND_PROXY,
    DEBUG,
    TEST_PG_URL,
    KILL_AT,
    CAPTURES,
)
_BY_ENV = {setting.env: setting for setting in SETTINGS}


def by_env(name: str) -> Setting:
    """The record of the variable `name` (KeyError when no setting has that name)."""
    return _BY_ENV[name]
