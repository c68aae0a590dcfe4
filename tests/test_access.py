"""Who sees what, under AppTest: nothing before sign-in on real data, sign-in and lock-out
through the form, pages refused by role, an association's user never seeing another
association, and the audit entries of each action."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

import settings
from auth import accounts, passwords
from auth.roles import Identity, Role
from dashboard import registry
from dashboard.registry import pages_for
from pipelines.api import ingest
from store.audit import entries
from store.db import init_db, make_engine
from tests.helpers import as_viewer, csv_bytes
from tests.test_accounts import cheap_hasher
from tests.test_ingest import HEADER, ROW_A1, ROW_A2

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
PASSWORD = "un mot de passe assez long"
DEMO_ASSOCIATIONS = [
    "Envol Mentorat Nord",
    "Les Ailes du Possible",
    "Tremplin Avenir 59",
    "La Boussole Mentorat",
]


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", cheap_hasher())


@pytest.fixture
def real_db(tmp_path, monkeypatch, key):
    """Real (non-demo) data: two parcours imported by a person, and an admin account."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv(settings.DB_URL.env, url)
    engine = make_engine(url)
    init_db(engine)
    data = csv_bytes([HEADER, ROW_A1, ROW_A2])
    assert ingest(engine, data, "envol.csv", key, association="Envol", user="marie").statut == (
        "charge"
    )
    accounts.create_account(engine, "claire@cd59.fr", "admin", password=PASSWORD)
    yield engine
    engine.dispose()


@pytest.fixture
def listening(request):
    """Set `server.address` (as `streamlit run --server.address`) for the test."""

    def set_address(address: str | None) -> None:
        config.set_option("server.address", address)

    previous = config.get_option("server.address")
    yield set_address
    config.set_option("server.address", previous)


def app(page: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)


def shows_nothing(at: AppTest) -> bool:
    return not (
        at.metric
        or at.dataframe
        or at.get("plotly_chart")
        or at.get("download_button")
        or at.get("file_uploader")
        or at.selectbox
    )


def everything_shown(at: AppTest) -> str:
    """Every text, table, option and chart of a page, as one string."""
    parts: list[str] = []
    for kind in ("title", "subheader", "header", "markdown", "caption", "info", "warning"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(e.value) for e in at.error] + [str(e.value) for e in at.success]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [e.value.to_string() for e in at.dataframe]
    for box in [*at.selectbox, *at.multiselect]:
        parts += [str(o) for o in box.options]
    parts += [e.proto.spec for e in at.get("plotly_chart")]
    parts += [e.label for e in at.expander]
    return "\n".join(parts)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_run_directly_without_sign_in_shows_nothing(real_db, page):
    at = app(page).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Connexion"
    assert shows_nothing(at)
    assert len(at.text_input) == 2  # identifiant, mot de passe


@pytest.mark.parametrize("page", ["synthese", "donnees", "importer"])
def test_demo_opens_without_sign_in_only_on_a_local_server(demo_app, listening, page):
    listening("0.0.0.0")
    at = app(page).run()
    assert at.title[0].value == "Connexion" and shows_nothing(at)
    listening("localhost")
    at = app(page).run()
    assert not at.exception, at.exception
    assert at.title[0].value != "Connexion"
    assert "Base de démonstration" in at.info[0].value
    assert "Mode démonstration" in " ".join(c.value for c in at.sidebar.caption)


def test_real_data_never_opens_without_sign_in_even_locally(real_db, listening):
    listening("localhost")
    at = app("synthese").run()
    assert at.title[0].value == "Connexion" and shows_nothing(at)


def sign_in(at: AppTest, identifiant: str, password: str) -> AppTest:
    at.text_input[0].input(identifiant)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_sign_in_through_the_form_then_out(real_db):
    at = app("donnees").run()
    sign_in(at, "Claire@CD59.fr", PASSWORD)
    assert at.title[0].value == "Données consolidées"
    assert {m.label: m.value for m in at.metric}["Parcours consolidés"] == "2"
    assert "claire@cd59.fr" in at.sidebar.caption[0].value.replace("\u2060", "")
    at.button(key="se_deconnecter").click().run()
    assert at.title[0].value == "Connexion" and shows_nothing(at)
    log = entries(real_db)
    assert list(log["action"]) == ["deconnexion", "connexion"]
    assert set(log["utilisateur"]) == {"claire@cd59.fr"}


def test_wrong_password_then_lock_out(real_db):
    at = app("synthese").run()
    for _ in range(accounts.max_failures()):
        sign_in(at, "claire@cd59.fr", "pas le bon mot de passe")
        assert shows_nothing(at)
    assert "Le compte est bloqué après 5 échecs" in at.error[0].value
    sign_in(at, "claire@cd59.fr", PASSWORD)  # the right password, too late
    assert at.title[0].value == "Connexion" and shows_nothing(at)
    assert "bloqué" in at.error[0].value
    actions = list(entries(real_db)["action"])
    assert actions.count("echec_connexion") == accounts.max_failures() + 1
    assert actions.count("blocage") == 1 and "connexion" not in actions


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("direction", "importer"),
        ("direction", "journal"),
        ("association", "journal"),
        ("direction", "comptes"),
        ("association", "comptes"),
    ],
)
def test_a_page_refuses_a_role_it_is_not_for(real_db, role, page):
    association = "Envol" if role == "association" else None
    at = as_viewer(app(page), role, association).run()
    assert not at.exception, at.exception
    assert "ne donne pas accès à cette page" in at.error[0].value
    assert shows_nothing(at)
    assert entries(real_db, actions=["acces_refuse"])["role"].tolist() == [role]


def test_direction_reads_but_cannot_undo(real_db):
    at = as_viewer(app("donnees"), "direction").run()
    assert at.metric and not [s for s in at.selectbox if s.label == "Import à annuler"]
    admin = as_viewer(app("donnees"), "admin").run()
    assert [s for s in admin.selectbox if s.label == "Import à annuler"]


@pytest.mark.parametrize("page", [p for p in PAGES if p != "journal"])
def test_an_association_never_sees_another_association(demo_app, page):
    mine = "Tremplin Avenir 59"
    at = as_viewer(app(page), "association", mine).run()
    assert not at.exception, at.exception
    shown = everything_shown(at)
    for other in DEMO_ASSOCIATIONS:
        if other != mine:
            assert other not in shown, (page, other)
    for frame in at.dataframe:
        if "Association" in frame.value.columns:
            assert set(frame.value["Association"].dropna()) <= {mine}, page


def test_an_association_sees_its_own_figures(demo_app, demo):
    _, dataset = demo
    mine = "Tremplin Avenir 59"
    at = as_viewer(app("donnees"), "association", mine).run()
    shown = {m.label: m.value for m in at.metric}
    own = dataset.parcours[dataset.parcours["association"] == mine]
    assert int(shown["Parcours consolidés"].replace("\u202f", "")) == len(own)
    assert shown["Associations"] == "1"


def test_the_filters_cannot_widen_an_association_scope(demo_app):
    at = as_viewer(app("entonnoir"), "association", "Tremplin Avenir 59").run()
    options = next(s for s in at.sidebar.selectbox if s.label == "Association").options
    assert options == ["Toutes", "Tremplin Avenir 59"]


def test_the_audit_page_lists_and_filters_entries(real_db):
    accounts.authenticate(real_db, "claire@cd59.fr", "faux", "10.1.2.3")
    accounts.authenticate(real_db, "claire@cd59.fr", PASSWORD, "10.1.2.3")
    at = as_viewer(app("journal"), "admin").run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "2"
    log = at.dataframe[0].value
    assert log["Action"].tolist() == ["Connexion", "Échec de connexion"]
    assert log["Depuis"].tolist() == ["10.1.2.3", "10.1.2.3"]
    at.multiselect(key="journal_actions").select("echec_connexion").run()
    assert at.metric[0].value == "1"


def test_imports_and_undos_are_in_the_audit_log(real_db):
    from tests.test_page_importer import EXPORT, choose_association

    at = as_viewer(app("importer"), "admin", name="claire").run()
    at.file_uploader(key="importer_fichiers").upload("nouveau.csv", EXPORT)
    at.run()
    choose_association(at, EXPORT, "Envol")
    at.button(key=next(b.key for b in at.button if b.key.startswith("confirmer_"))).click().run()
    assert not at.exception, at.exception
    log = entries(real_db)
    assert log["action"].tolist()[0] == "import"
    assert log["detail"].tolist()[0].startswith("« nouveau.csv » (sha256 ")
    assert json.dumps(log["utilisateur"].tolist()) == '["claire"]'

    at = as_viewer(app("donnees"), "admin", name="claire").run()
    at.selectbox(key="annuler_import").set_value(2).run()  # the import just made
    at.button(key="annuler").click().run()
    assert not at.exception, at.exception
    assert "annulé" in at.success[0].value
    assert entries(real_db)["action"].tolist() == ["annulation", "import"]


def _communes_table(at: AppTest):
    return next(f.value for f in at.dataframe if "Code INSEE" in f.value.columns)


def test_small_counts_hidden_for_an_association_not_for_the_direction(demo_app):
    from indicators.small_counts import suppress

    mine = "Envol Mentorat Nord"
    association = as_viewer(app("territoires"), "association", mine).run()
    assert not association.exception, association.exception
    shown = _communes_table(association)
    raw = _communes_table(as_viewer(app("territoires"), "direction").run())
    # The same communes, in the same order, for the association's own youths only.
    own = as_viewer(app("territoires"), "admin").run()
    own.sidebar.selectbox(key="f_association").set_value(mine).run()
    mine_raw = _communes_table(own)
    assert list(shown["Code INSEE"]) == list(mine_raw["Code INSEE"])
    hidden = suppress(
        mine_raw.rename(columns={"Jeunes inscrits": "jeunes_inscrits", "Démarrages": "demarrages"}),
        ["jeunes_inscrits", "demarrages"],
    )
    pairs = zip(mine_raw["Jeunes inscrits"], hidden.mask["jeunes_inscrits"], strict=True)
    expected = ["< 11" if h else str(v) for v, h in pairs]
    assert list(shown["Jeunes inscrits"].astype(str).str.replace("\u202f", "")) == expected
    assert "< 11" in expected  # the demo has small communes: the test proves something
    assert not any(
        v in {str(n) for n in range(1, 11)} for v in shown["Jeunes inscrits"].astype(str)
    )
    notes = " ".join(c.value for c in association.caption)
    assert "Masqués ci-dessus et dans le fichier CSV" in notes
    # The direction sees every count, and is told the CSV hides them, on the download only
    # (no note repeated under each table).
    assert raw["Jeunes inscrits"].map(lambda v: isinstance(v, int | float)).all()
    assert (raw["Jeunes inscrits"] < 11).any()
    direction = as_viewer(app("territoires"), "direction").run()
    assert "Masqués" not in " ".join(c.value for c in direction.caption)
    helps = [b.proto.help for b in direction.get("download_button")]
    assert any("Masqués dans ce fichier" in h for h in helps)


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "pilotage",
    "client_secret": "s",
    "server_metadata_url": "https://sso.example/.well-known/openid-configuration",
}


def with_provider(at: AppTest, user: dict, claims: dict | None = None) -> AppTest:
    at.secrets["auth"] = AUTH
    if claims:
        at.secrets["pilotage"] = claims
    at.user = user
    return at


def test_identity_provider_sign_in_button_before_anything(real_db):
    at = with_provider(app("synthese"), {"is_logged_in": False}).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Connexion" and shows_nothing(at)
    assert not at.text_input  # no local form when the département has a provider
    assert [b.label for b in at.button] == ["Se connecter"]


def test_identity_provider_role_from_a_claim(real_db):
    user = {"is_logged_in": True, "email": "dir@cd59.fr", "roles": ["direction"]}
    at = with_provider(app("donnees"), user, {"role_claim": "roles"}).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Données consolidées" and at.metric
    assert not [s for s in at.selectbox if s.label == "Import à annuler"]  # read only
    at.run()  # a second run does not record a second sign-in
    log = entries(real_db)
    assert log["action"].tolist() == ["connexion"] and log["utilisateur"].tolist() == [
        "dir@cd59.fr"
    ]


def test_identity_provider_without_claim_uses_the_accounts_table(real_db):
    unknown = {"is_logged_in": True, "email": "inconnu@cd59.fr"}
    at = with_provider(app("synthese"), unknown).run()
    assert "n'a pas accès" in at.error[0].value and shows_nothing(at)
    at.run()  # the refusal is written once per session
    refused = entries(real_db, actions=["echec_connexion"])
    assert refused["utilisateur"].tolist() == ["inconnu@cd59.fr"]
    accounts.create_account(real_db, "envol@asso.fr", "association", association="Envol")
    known = {"is_logged_in": True, "email": "Envol@asso.fr"}
    at = with_provider(app("donnees"), known).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Données consolidées"
    assert "envol@asso.fr — Envol" in at.sidebar.caption[0].value.replace("\u2060", "")


def test_a_disabled_account_is_signed_out_at_the_next_page(real_db):
    accounts.create_account(real_db, "dir@cd59.fr", "direction", password=PASSWORD)
    at = app("synthese").run()
    sign_in(at, "dir@cd59.fr", PASSWORD)
    assert at.title[0].value == "Synthèse" and at.metric
    accounts.disable(real_db, "dir@cd59.fr")
    at.run()
    assert at.title[0].value == "Connexion" and shows_nothing(at)


def test_an_association_compares_itself_with_the_departement_totals(demo_app):
    mine = "La Boussole Mentorat"
    at = as_viewer(app("synthese"), "association", mine).run()
    assert not at.exception, at.exception
    assert "Ensemble du département, pour comparaison" in [s.value for s in at.subheader]
    tiles = [(m.label, m.value) for m in at.metric]
    own, departement = dict(tiles[:8]), dict(tiles[8:])
    everyone = {m.label: m.value for m in as_viewer(app("synthese"), "direction").run().metric}
    assert departement["Jeunes inscrits"] == everyone["Jeunes inscrits"]
    assert departement["Taux de démarrage"] == everyone["Taux de démarrage"]
    assert int(own["Jeunes inscrits"].replace("\u202f", "")) < int(
        departement["Jeunes inscrits"].replace("\u202f", "")
    )
    direction = as_viewer(app("synthese"), "direction").run()
    assert "Ensemble du département, pour comparaison" not in [s.value for s in direction.subheader]


def test_an_association_uploads_its_own_exports_only(real_db):
    from tests.test_page_importer import EXPORT

    at = as_viewer(app("importer"), "association", "Tremplin").run()
    assert not at.exception, at.exception
    assert ".docx" not in at.file_uploader[0].allowed_type
    assert not at.selectbox and not at.text_input  # no kind, no association to choose
    # A file named after another known association is refused, never attached to its own.
    at.file_uploader(key="importer_fichiers").upload("envol.csv", EXPORT).run()
    assert "semble être celui d'Envol" in at.error[0].value
    assert not [b for b in at.button if b.key.startswith("confirmer_")]
    at = as_viewer(app("importer"), "association", "Tremplin").run()
    at.file_uploader(key="importer_fichiers").upload("export_mars.csv", EXPORT).run()
    assert any("**Association** : Tremplin" in m.value for m in at.markdown)
    at.button(key=next(b.key for b in at.button if b.key.startswith("confirmer_"))).click().run()
    assert not at.exception, at.exception
    log = entries(real_db)
    assert log.iloc[0][["action", "role", "association"]].tolist() == [
        "import",
        "association",
        "Tremplin",
    ]


def test_an_association_claim_is_read_as_the_referential_spells_it(demo_app, demo):
    _, dataset = demo
    user = {
        "is_logged_in": True,
        "email": "contact@tremplin.fr",
        "roles": "association",
        "association": "tremplin avenir 59",
    }
    claims = {"role_claim": "roles", "association_claim": "association"}
    at = with_provider(app("donnees"), user, claims).run()
    assert not at.exception, at.exception
    own = dataset.parcours[dataset.parcours["association"] == "Tremplin Avenir 59"]
    shown = {m.label: m.value for m in at.metric}
    assert int(shown["Parcours consolidés"].replace("\u202f", "")) == len(own) > 0


TITLES = {p.stem: p.title for p in registry.PAGES}
REFUSED = {
    "admin": set(),
    "direction": {"importer", "journal", "comptes"},
    "association": {"journal", "comptes"},
}


def test_the_registry_declares_every_page_file_once():
    assert [p.stem for p in registry.PAGES] == list(dict.fromkeys(TITLES))
    assert set(TITLES) == set(PAGES)  # every file of pages/ is declared, nothing else
    assert {
        role.value: {p.stem for p in registry.PAGES}
        - {
            p.stem
            for p in pages_for(
                Identity("x", role, "A" if role is Role.ASSOCIATION else None, "local")
            )
        }
        for role in Role
    } == REFUSED


@pytest.mark.parametrize("role", sorted(REFUSED))
def test_every_page_for_every_role(demo_app, role):
    """Each role on each page: the page opens with its content, or refuses with a message
    and shows nothing."""
    association = "Les Ailes du Possible" if role == "association" else None
    for page in PAGES:
        at = as_viewer(app(page), role, association).run()
        assert not at.exception, (role, page, at.exception)
        assert at.title[0].value == TITLES[page], (role, page)
        if page in REFUSED[role]:
            assert "ne donne pas accès" in at.error[0].value and shows_nothing(at)
        else:
            assert not shows_nothing(at), (role, page)


@pytest.mark.parametrize("stem", [p.stem for p in registry.PAGES if p.ignores])
def test_a_page_says_which_filters_it_ignores(demo_app, stem):
    at = as_viewer(app(stem), "admin").run()
    assert not at.exception, at.exception
    notes = [c.value for c in at.caption if c.value.startswith("Filtres sans effet")]
    assert notes == [
        f"Filtres sans effet sur une partie de cette page : {registry.page(stem).ignores}."
    ]


def test_a_page_that_follows_every_filter_says_nothing_of_the_kind(demo_app):
    at = as_viewer(app("entonnoir"), "admin").run()
    assert not any(c.value.startswith("Filtres sans effet") for c in at.caption)


def test_a_file_another_association_imported_is_not_described_to_an_association(real_db):
    from tests.test_page_importer import EXPORT

    at = as_viewer(app("importer"), "admin").run()
    at.file_uploader(key="importer_fichiers").upload("export_mars.csv", EXPORT).run()
    from tests.test_page_importer import choose_association

    choose_association(at, EXPORT, "Envol")
    at.button(key=next(b.key for b in at.button if b.key.startswith("confirmer_"))).click().run()
    assert not at.exception, at.exception

    at = as_viewer(app("importer"), "association", "Tremplin").run()
    at.file_uploader(key="importer_fichiers").upload("export_mars.csv", EXPORT).run()
    said = at.info[0].value
    assert said == "Fichier identique déjà importé : rien à confirmer."  # no date, no number
    at = as_viewer(app("importer"), "association", "Envol").run()
    at.file_uploader(key="importer_fichiers").upload("export_mars.csv", EXPORT).run()
    assert "(import n° " in at.info[0].value  # its own import: described


def test_streamlit_serves_nothing_outside_the_apps_sign_in():
    """The server's own settings: no agent API (a page's content as JSON over HTTP, outside
    the sign-in), no built-in table export, XSRF protection on."""
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml")
                           .read_text(encoding="utf-8"))  # fmt: skip
    assert config["server"]["enableAgentApi"] is False
    assert config["server"]["enableXsrfProtection"] is True
    assert config["client"]["disableDataExport"] is True
