"""The canonical database: source records as imported, and the consolidated parcours.

Source records (`enregistrement`, `demande_honorabilite`) keep what each file said, keyed by
their source and `id_source`, so a newer snapshot updates its own rows. `parcours` is derived
from them by the consolidation rules of docs/domaine.md and rebuilt in the same transaction as
every import. No column holds a name or a full birth date.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Commune(Base):
    __tablename__ = "commune"

    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    nom: Mapped[str] = mapped_column(String(100))
    departement: Mapped[str] = mapped_column(String(3), index=True)
    epci: Mapped[str | None] = mapped_column(String(9))
    epci_nom: Mapped[str | None] = mapped_column(String(200))
    population: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    superficie_km2: Mapped[float | None] = mapped_column(Float)
    densite: Mapped[float | None] = mapped_column(Float)
    niveau_densite: Mapped[int | None] = mapped_column(SmallInteger)  # INSEE grid, 1-7
    classe: Mapped[str | None] = mapped_column(String(10))  # rural (levels 5-7) | urbain
    codes_postaux: Mapped[str | None] = mapped_column(String(200))


class ImportLot(Base):
    """One imported file: the history the chargé(e) de projet can read back."""

    __tablename__ = "import_lot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fichier: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    type: Mapped[str] = mapped_column(String(20))
    association: Mapped[str | None] = mapped_column(String(200))
    profil: Mapped[str | None] = mapped_column(String(100))
    utilisateur: Mapped[str] = mapped_column(String(100))
    importe_le: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    lignes_lues: Mapped[int] = mapped_column(Integer)
    lignes_chargees: Mapped[int] = mapped_column(Integer)
    lignes_en_quarantaine: Mapped[int] = mapped_column(Integer)
    nouveaux: Mapped[int] = mapped_column(Integer, default=0)
    mis_a_jour: Mapped[int] = mapped_column(Integer, default=0)
    absents: Mapped[int] = mapped_column(Integer, default=0)
    colonnes_non_reconnues: Mapped[str | None] = mapped_column(Text)  # JSON list
    colonnes_absentes: Mapped[str | None] = mapped_column(Text)  # JSON list
    annule: Mapped[bool] = mapped_column(Boolean, default=False)
    annule_le: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    annule_par: Mapped[str | None] = mapped_column(String(100))
    # The date the data describe, and where it comes from: "titre" (an "extraction du …"
    # title row), "contenu" (the latest date in the file) or "import" (the import day).
    date_donnees: Mapped[dt.date | None] = mapped_column(Date)
    origine_date_donnees: Mapped[str | None] = mapped_column(String(20))
    demo: Mapped[bool] = mapped_column(Boolean, default=False)  # made by the demo builder


class VersionLigne(Base):
    """A source row as it was before an import changed it, so the import can be undone.

    `action` is "insert" (the import created the row: `previous` is None), "update" (the
    import rewrote it: `previous` holds every column but the id, as JSON, dates in ISO) or
    "flag" (the import marked it absent: `previous` holds the former
    `absent_depuis_import_id`)."""

    __tablename__ = "version_ligne"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_lot.id"), index=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))  # insert | update | flag
    previous: Mapped[str | None] = mapped_column(Text)  # JSON object


class Quarantaine(Base):
    """A row that was read but not loaded, with where and why (never a name)."""

    __tablename__ = "quarantaine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_lot.id"), index=True)
    ligne: Mapped[int] = mapped_column(Integer)
    colonne: Mapped[str | None] = mapped_column(String(255))
    motif: Mapped[str] = mapped_column(Text)
    id_source: Mapped[str | None] = mapped_column(String(100))


class ValeurInconnue(Base):
    """A category label an import did not recognise: the rows carrying it were loaded with
    that field unknown; the quality page lists it so it can be answered."""

    __tablename__ = "valeur_inconnue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_lot.id"), index=True)
    champ: Mapped[str] = mapped_column(String(40))
    valeur: Mapped[str] = mapped_column(String(200))
    lignes: Mapped[int] = mapped_column(Integer)


class Association(Base):
    __tablename__ = "association"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nom: Mapped[str] = mapped_column(String(200), unique=True)
    cle: Mapped[str] = mapped_column(String(200), unique=True)  # normalised name
    capacite: Mapped[int | None] = mapped_column(Integer)
    communes_servies: Mapped[str | None] = mapped_column(Text)  # INSEE codes, ";"-separated
    territoires: Mapped[str | None] = mapped_column(Text)
    objectifs: Mapped[str | None] = mapped_column(String(200))
    modalites: Mapped[str | None] = mapped_column(String(100))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_lot.id"))


class Antenne(Base):
    __tablename__ = "antenne"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("association.id"), index=True)
    nom: Mapped[str] = mapped_column(String(200))
    commune_insee: Mapped[str | None] = mapped_column(String(5))


class YouthColumns:
    """What a source record and a parcours both say of a youth and the binôme.

    Consolidation reads whole tables, so pseudonyms carry no index: each one would be a
    random-order B-tree to maintain on every import."""

    association: Mapped[str | None] = mapped_column(String(200))
    id_jeune: Mapped[str] = mapped_column(String(64))
    annee_naissance: Mapped[int | None] = mapped_column(Integer)
    age_inscription: Mapped[int | None] = mapped_column(Integer)
    sexe: Mapped[str | None] = mapped_column(String(10))
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    type_accueil: Mapped[str | None] = mapped_column(String(20))
    etablissement: Mapped[str | None] = mapped_column(String(200))
    territoire: Mapped[str | None] = mapped_column(String(100))
    objectifs: Mapped[str | None] = mapped_column(String(200))
    modalite: Mapped[str | None] = mapped_column(String(20))
    initiateur: Mapped[str | None] = mapped_column(String(30))
    id_mentor: Mapped[str | None] = mapped_column(String(64))
    date_proposition: Mapped[dt.date | None] = mapped_column(Date)
    date_inscription: Mapped[dt.date | None] = mapped_column(Date)
    date_attribution: Mapped[dt.date | None] = mapped_column(Date)
    date_autorisation_parentale: Mapped[dt.date | None] = mapped_column(Date)
    date_mise_en_relation: Mapped[dt.date | None] = mapped_column(Date)
    date_honorabilite: Mapped[dt.date | None] = mapped_column(Date)
    resultat_honorabilite: Mapped[str | None] = mapped_column(String(20))
    date_convention: Mapped[dt.date | None] = mapped_column(Date)
    date_debut: Mapped[dt.date | None] = mapped_column(Date)
    date_fin: Mapped[dt.date | None] = mapped_column(Date)
    motif_fin: Mapped[str | None] = mapped_column(String(30))
    # The follow-up of a running binôme (optional in an association's export).
    nb_rencontres: Mapped[int | None] = mapped_column(Integer)
    date_derniere_rencontre: Mapped[dt.date | None] = mapped_column(Date)
    date_bilan_3_mois: Mapped[dt.date | None] = mapped_column(Date)
    satisfaction_jeune: Mapped[str | None] = mapped_column(String(20))
    satisfaction_mentor: Mapped[str | None] = mapped_column(String(20))
    situation_sortie: Mapped[str | None] = mapped_column(String(20))


class Enregistrement(YouthColumns, Base):
    """A youth as one source file describes it: an association's row or a CD fiche."""

    __tablename__ = "enregistrement"
    __table_args__ = (UniqueConstraint("type_source", "source", "id_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_source: Mapped[str] = mapped_column(String(20))  # association | fiche_cd
    source: Mapped[str] = mapped_column(String(200))  # association name, or "CD"
    id_source: Mapped[str] = mapped_column(String(100))
    canal: Mapped[str | None] = mapped_column(String(30))  # as the source says it
    statut: Mapped[str | None] = mapped_column(String(20))
    import_id: Mapped[int] = mapped_column(ForeignKey("import_lot.id"), index=True)
    absent_depuis_import_id: Mapped[int | None] = mapped_column(ForeignKey("import_lot.id"))


class DemandeHonorabilite(Base):
    """One B2/FIJAIS request (or national attestation) for a mentor."""

    __tablename__ = "demande_honorabilite"
    __table_args__ = (UniqueConstraint("id_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_source: Mapped[str] = mapped_column(String(100))
    association: Mapped[str] = mapped_column(String(200))
    id_mentor: Mapped[str] = mapped_column(String(64), index=True)
    voie: Mapped[str] = mapped_column(String(30))
    date_collecte: Mapped[dt.date | None] = mapped_column(Date)
    date_transmission_cd: Mapped[dt.date | None] = mapped_column(Date)
    date_demande_service: Mapped[dt.date | None] = mapped_column(Date)
    date_retour: Mapped[dt.date | None] = mapped_column(Date)
    resultat: Mapped[str | None] = mapped_column(String(20))
    import_id: Mapped[int] = mapped_column(ForeignKey("import_lot.id"), index=True)
    absent_depuis_import_id: Mapped[int | None] = mapped_column(ForeignKey("import_lot.id"))


class Parcours(YouthColumns, Base):
    """One youth with one association (or a CD fiche not yet sent): the consolidated record."""

    # No secondary index: parcours is rebuilt by every import and read whole by the
    # indicators; indexes would only slow the rebuild (measured by `make bench`).
    __tablename__ = "parcours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_source: Mapped[str] = mapped_column(String(100))
    id_fiche: Mapped[str | None] = mapped_column(String(100))
    canal: Mapped[str] = mapped_column(String(30))  # by the consolidation rule
    date_honorabilite_defavorable: Mapped[dt.date | None] = mapped_column(Date)
    absent_dernier_export: Mapped[bool] = mapped_column(Boolean, default=False)


class ProfilColonnes(Base):
    """A column mapping saved from the import page: the layout of one association's export,
    recognised next time with no fixing (same role as a TOML profile in pipelines/mappings)."""

    __tablename__ = "profil_colonnes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nom: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    association: Mapped[str | None] = mapped_column(String(200))
    colonnes: Mapped[str] = mapped_column(Text)  # JSON: normalised header -> field ("" ignored)
    valeurs: Mapped[str | None] = mapped_column(Text)  # JSON: table -> label -> value
    cree_le: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    cree_par: Mapped[str] = mapped_column(String(100))
    modifie_le: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    modifie_par: Mapped[str] = mapped_column(String(100))


class Compte(Base):
    """A person who may sign in: a local account (Argon2 hash) or, with an identity provider,
    an e-mail address mapped to a role (no password)."""

    __tablename__ = "compte"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identifiant: Mapped[str] = mapped_column(String(200), unique=True)  # lower-cased
    role: Mapped[str] = mapped_column(String(20))  # admin | direction | association
    association: Mapped[str | None] = mapped_column(String(200))
    mot_de_passe: Mapped[str | None] = mapped_column(String(255))  # Argon2 hash
    actif: Mapped[bool] = mapped_column(Boolean, default=True)
    echecs: Mapped[int] = mapped_column(Integer, default=0)  # consecutive failed sign-ins
    bloque_jusqua: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cree_le: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    modifie_le: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    derniere_connexion: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SessionConnexion(Base):
    """A local sign-in that survives a reload: the browser keeps a random token in a cookie,
    the database its SHA-256 only. Valid until `expire_le`, or until `fin_le` is set (sign-out,
    new password, disabled account)."""

    __tablename__ = "session_connexion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jeton_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    identifiant: Mapped[str] = mapped_column(String(200), index=True)
    cree_le: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expire_le: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    fin_le: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ComiteFige(Base):
    """A comité de pilotage pack frozen as the comité saw it: its figures as JSON
    (`indicators.committee.Pack.to_json`) and its map picture, so that the same deck and
    workbook can be downloaded again after later imports and undos, which never touch this
    table. `perimetre` is the scope's key ("departement", "association:<nom>",
    "territoire:<nom>"): the next pack of the same scope is compared with the latest one."""

    __tablename__ = "comite_fige"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    libelle: Mapped[str] = mapped_column(String(200))
    fige_le: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    utilisateur: Mapped[str] = mapped_column(String(200))
    perimetre: Mapped[str] = mapped_column(String(300), index=True)
    association: Mapped[str | None] = mapped_column(String(200))
    du: Mapped[dt.date] = mapped_column(Date)
    au: Mapped[dt.date] = mapped_column(Date)
    contenu: Mapped[str] = mapped_column(Text)
    carte: Mapped[bytes | None] = mapped_column(LargeBinary)


class Journal(Base):
    """The audit log: who did what, when, from where. Append-only (database triggers refuse
    updates, and deletes of entries younger than the retention period)."""

    __tablename__ = "journal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    horodatage: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    utilisateur: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(20))
    association: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[str] = mapped_column(Text)
    origine: Mapped[str | None] = mapped_column(String(100))


class TentativeImport(Base):
    """An import between the moment it starts writing and its commit, written and committed
    on its own beforehand: its commit deletes it, in the same transaction. One left behind
    is an import whose process died (a kill, a crash, a server stopped): once its process
    is known to be gone (`store.attempts.recover`), it is marked `interrompu_le` and shown in
    the history and the audit log, so that nobody believes the file was loaded."""

    __tablename__ = "import_tentative"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fichier: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(20))
    association: Mapped[str | None] = mapped_column(String(200))
    utilisateur: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(20))
    association_utilisateur: Mapped[str | None] = mapped_column(String(200))
    origine: Mapped[str | None] = mapped_column(String(100))
    commence_le: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    processus: Mapped[str] = mapped_column(String(200))  # host:pid:process start (ticks)
    interrompu_le: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
