"""The demo generator: deterministic, realistic layouts, covered by their profiles or read by
the matcher alone, with the planted defects really in the files."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from demo import FILES, build_demo, generate_demo_files, write_files
from demo.journeys import workday
from demo.people import identity_key
from demo.scenario import DEFECT_PLAN, UNREADABLE_DATE
from demo.territory import BY_KEY, TILLEULS
from demo.writers import ADDED_COLUMNS, BOUSSOLE_GROUPS, MATCHED_LAYOUTS
from domain.schema import FIELDS, FOLLOW_UP_FIELDS, FieldType, Kind, field
from domain.text import normalise_key
from domain.values import value_table
from pipelines.extract import read_table
from pipelines.labels import match_label
from pipelines.mapping import MAPPINGS_DIR, header_score, map_columns
from pipelines.normalise import split_labels

AS_OF = date(2026, 10, 31)
N = 150
EXCEL_EPOCH = date(1899, 12, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = build_demo(seed=7, n_parcours=N, as_of=AS_OF)
    paths = write_files(data, tmp_path_factory.mktemp("demo"))
    return data, {_key(spec): path for spec, path in zip(FILES, paths, strict=True)}


def _key(spec) -> str:
    """A file's layout: its profile, or its association for the layouts the matcher reads."""
    return spec.profile or spec.association


def _profile(name: str) -> dict:
    return tomllib.loads((MAPPINGS_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def _grid(path: Path) -> list[list[object]]:
    """Every cell as read by calamine (xlsx) or as text (CSV), header rows included."""
    if path.suffix == ".csv":
        frame = pd.read_csv(
            path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False, header=None
        )
    else:
        frame = pd.read_excel(path, engine="calamine", header=None, dtype=object)
    return [[None if pd.isna(v) or v == "" else v for v in row] for row in frame.to_numpy()]


def _header_index(profile: str) -> int:
    return 3 if profile == "ailes_xlsx" else 0  # title rows above the header


def _records(path: Path, profile: str) -> list[dict[str, object]]:
    """Data rows keyed by canonical field (through the layout's own profile, or what the
    writer says of each column of a layout the matcher reads). A full name in one cell
    stands in the nom column (identity_key sorts the words)."""
    if profile in MATCHED_LAYOUTS:
        raw = read_table(path.read_bytes(), path.name, header_score)
        names = [MATCHED_LAYOUTS[profile][h] or h for h in raw.header]
        rows = [
            [int(v) if isinstance(v, float) and v.is_integer() else v for v in row]
            for row in raw.frame.astype(object).where(raw.frame.notna(), None).to_numpy().tolist()
        ]
        records = [dict(zip(names, row, strict=True)) for row in rows]
        for r in records:
            for full, nom, prenom in (
                ("nom_prenom", "nom", "prenom"),
                ("nom_prenom_mentor", "nom_mentor", "prenom_mentor"),
            ):
                if full in r:
                    r[nom], r[prenom] = r.pop(full), ""
        return records
    grid = _grid(path)
    start = _header_index(profile)
    columns = _profile(profile)["colonnes"] | ADDED_COLUMNS.get(profile, {})
    names = [columns[h] or h for h in grid[start]]
    return [dict(zip(names, row, strict=True)) for row in grid[start + 1 :]]


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = str(value)
    return datetime.strptime(text, "%d/%m/%y" if len(text) == 8 else "%d/%m/%Y").date()


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_gives_same_cells_and_bytes(tmp_path):
    first = generate_demo_files(tmp_path / "a", seed=11, n_parcours=N, as_of=AS_OF)
    second = generate_demo_files(tmp_path / "b", seed=11, n_parcours=N, as_of=AS_OF)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert _grid(a) == _grid(b), a.name
        assert a.read_bytes() == b.read_bytes(), a.name  # fixed properties and zip times
    other = generate_demo_files(tmp_path / "c", seed=12, n_parcours=N, as_of=AS_OF)
    assert _grid(first[2]) != _grid(other[2])


def test_files_come_in_ingestion_order(demo):
    _, paths = demo
    names = [p.name for p in paths.values()]
    assert names == [
        "01_referentiel_associations_2026-10.xlsx",
        "02_fiches_candidature_cd_2026-10.xlsx",
        "03_export_envol_mentorat_nord_2026-10.csv",
        "04_export_les_ailes_du_possible_2026-10.xlsx",
        "05_export_tremplin_avenir_59_2026-10.xlsx",
        "06_export_la_boussole_mentorat_2026-10.xlsx",
        "07_suivi_honorabilite_2026-10.xlsx",
    ]


# --- counts -----------------------------------------------------------------------------------


def test_row_counts_per_file(demo):
    data, paths = demo
    assert len(data.parcours) == N
    expected = {
        "referentiel_associations": 6,  # 4 associations, Envol and Ailes with 2 antennes
        "fiches_cd": len(data.fiches()),
        "suivi_honorabilite": len(data.cd_requests()),
    }
    for spec in FILES:
        if spec.association:
            expected[_key(spec)] = len(data.of(spec.association)) + (
                1 if spec.association == "tremplin" else 0  # the planted duplicate row
            )
    for profile, path in paths.items():
        assert len(_records(path, profile)) == expected[profile], profile
    in_exports = sum(len(data.of(k)) for k in BY_KEY)
    without_association = [p for p in data.parcours if p.association is None]
    left_out = [p for p in data.parcours if p.association and not p.in_export]
    assert in_exports + len(without_association) + len(left_out) == N
    assert all(p.fiche is not None for p in without_association)


def test_full_size_shape():
    data = build_demo(n_parcours=1500, as_of=AS_OF)
    assert len(data.parcours) == 1500
    per_association = Counter(p.association for p in data.parcours)
    assert per_association["envol"] > per_association["ailes"] > per_association["boussole"]
    canal = Counter(p.canal for p in data.parcours)
    assert 0.30 < canal["fiche_cd"] / 1500 < 0.40
    assert 0.15 < canal["plateforme_1j1m"] / 1500 < 0.25
    rural = sum(p.rural for p in data.parcours) / 1500
    assert 0.15 < rural < 0.30
    antenne = [p for p in data.parcours if p.etablissement == TILLEULS]
    assert 12 <= len(antenne) <= 20 and {p.association for p in antenne} == {"ailes"}
    fiches = data.fiches()
    assert any(p.association is None for p in fiches)  # not sent (yet)
    assert any(p.association and not p.fiche.association_named for p in fiches)
    assert any(p.fiche.variant == "inverse" for p in fiches)
    youths = Counter(
        (identity_key(p.youth.nom, p.youth.prenom), p.youth.date_naissance) for p in data.parcours
    )
    assert 5 <= sum(1 for n in youths.values() if n == 2) <= 20
    voies = Counter(r.voie for r in data.cd_requests())
    assert (
        voies["attestation_nationale"] > 0
        and voies["cd_b2_fijais"] > voies["attestation_nationale"]
    )
    attestations = [r for r in data.cd_requests() if r.voie == "attestation_nationale"]
    assert all(r.date_collecte >= date(2025, 10, 1) for r in attestations)
    assert any(r.date_retour is None for r in data.cd_requests())  # pending requests
    transmissions = [r.date_transmission_cd for r in data.cd_requests()]
    assert all(workday(day) == day for day in transmissions)  # the CD works on jours ouvrés


FOLLOW_UP = FOLLOW_UP_FIELDS


def test_follow_up_of_started_pairs():
    """Issue 23: most pairs meet 2 to 4 times a month, a running pair met within 30 days
    unless silent (45 to 120 days), an ended pair near its end; most pairs that ran three
    months had their review; satisfaction mostly good; a situation at exit for ended
    pairs; some blanks everywhere but the count and the last meeting."""
    data = build_demo(n_parcours=1500, as_of=AS_OF)
    started = [p for p in data.parcours if p.date_debut and not p.defects]
    assert all(p.nb_rencontres and p.date_derniere_rencontre for p in started)
    assert all(p.nb_rencontres is None for p in data.parcours if p.date_debut is None)
    for p in started:
        assert p.date_debut <= p.date_derniere_rencontre <= (p.date_fin or AS_OF)
        assert (p.nb_rencontres == 1) == (p.date_derniere_rencontre == p.date_debut)
        if p.date_bilan_3_mois:
            assert 80 <= (p.date_bilan_3_mois - p.date_debut).days <= 121
    running = [p for p in started if p.date_fin is None]
    quiet = [(AS_OF - p.date_derniere_rencontre).days for p in running]
    silent = [d for d in quiet if d > 30]
    assert all(45 <= d <= 120 for d in silent) and 0.04 < len(silent) / len(running) < 0.2
    ended = [p for p in started if p.date_fin]
    assert all((p.date_fin - p.date_derniere_rencontre).days <= 21 for p in ended)
    assert sum((p.date_fin - p.date_debut).days < 91 for p in ended) >= 30  # early breaks
    long = [p for p in started if (p.date_fin or AS_OF) - p.date_debut >= timedelta(days=125)]
    reviewed = sum(p.date_bilan_3_mois is not None for p in long) / len(long)
    assert 0.7 < reviewed < 0.95
    rates = [
        p.nb_rencontres / ((p.date_derniere_rencontre - p.date_debut).days / 30.4)
        for p in started
        if (p.date_derniere_rencontre - p.date_debut).days > 90
    ]
    assert 0.6 < sum(1.8 <= r <= 4.2 for r in rates) / len(rates) < 0.9
    assert any(r < 1.5 for r in rates) and any(r > 5 for r in rates)
    for name in ("satisfaction_jeune", "satisfaction_mentor"):
        seen = Counter(getattr(p, name) for p in started)
        assert seen[None] > 0 and seen["pas_satisfait"] > 0
        assert seen["satisfait"] + seen["tres_satisfait"] > 0.6 * (len(started) - seen[None])
    exits = Counter(p.situation_sortie for p in ended)
    assert exits[None] > 0 and len(exits) == 6
    assert all(p.situation_sortie is None for p in running)


def test_follow_up_shifts_no_other_draw(monkeypatch):
    """The follow-up comes from each parcours' own random stream: without it, every other
    value is the same."""
    import demo.scenario

    def plain(p):
        out = {k: v for k, v in vars(p).items() if k not in FOLLOW_UP and k != "mentor"}
        if p.mentor is None:
            return out
        request = p.mentor.request
        return out | {"mentor": (p.mentor.person, request.date_retour if request else None)}

    with_it = build_demo(seed=5, n_parcours=300, as_of=AS_OF)
    monkeypatch.setattr(demo.scenario, "follow_up", lambda p, as_of: None)
    without = build_demo(seed=5, n_parcours=300, as_of=AS_OF)
    assert [plain(p) for p in with_it.parcours] == [plain(p) for p in without.parcours]
    assert any(p.nb_rencontres for p in with_it.parcours)


def test_unplanted_parcours_respect_the_rules():
    data = build_demo(seed=3, n_parcours=600, as_of=AS_OF)
    for p in data.parcours:
        if p.defects or p.association is None:
            continue
        steps = [
            p.date_inscription,
            p.date_attribution,
            p.date_mise_en_relation,
            p.date_convention,
            p.date_debut,
            p.date_fin,
        ]
        known = [d for d in steps if d is not None]
        assert known == sorted(known), p.id_source
        assert max(known) <= AS_OF
        if p.date_debut:
            assert p.date_convention is not None
            assert p.mentor.request.favourable_by(p.date_debut)
            assert not p.minor or p.date_autorisation_parentale is not None


# --- layouts ---------------------------------------------------------------------------------


def test_csv_is_french_excel_cp1252(demo):
    _, paths = demo
    raw = paths["envol_csv"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert not text.startswith("\ufeff")
    lines = text.split("\r\n")
    assert lines[-1] == "" and all("\n" not in line for line in lines)
    assert lines[0].startswith("N° dossier;Nom;Prénom;Né(e) le;")
    assert "Marcq-en-Barœul;59700" in text and "Villeneuve-d'Ascq;" in text
    assert "œ".encode("cp1252") in raw and "é".encode("cp1252") in raw
    records = _records(paths["envol_csv"], "envol_csv")
    hours = [r["Heures réalisées"] for r in records if r["Heures réalisées"]]
    assert hours and all(re.fullmatch(r"\d+,\d", h) for h in hours)
    assert any(h.endswith(",5") for h in hours)
    births = [r["date_naissance"] for r in records]
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", b) for b in births)
    assert "commune_insee" not in records[0]  # name + postcode only


def test_title_rows_above_the_header(demo):
    _, paths = demo
    grid = _grid(paths["ailes_xlsx"])
    assert grid[0][0] == "Association Les Ailes du Possible"
    assert grid[1][0] == "Export du 31/10/2026"
    assert all(v is None for v in grid[2])
    assert grid[3][0] == "Réf." and "Mentor - Date de naissance" in grid[3]
    ws = openpyxl.load_workbook(paths["ailes_xlsx"]).active
    row = next(ws.iter_rows(min_row=5, max_row=5))
    assert row[3].is_date  # Date de naissance: a real date cell
    codes = [r["commune_insee"] for r in _records(paths["ailes_xlsx"], "ailes_xlsx")]
    assert all(isinstance(c, str) and re.fullmatch(r"59\d{3}", c) for c in codes)


def test_serial_dates_are_plain_numbers(demo):
    data, paths = demo
    ws = openpyxl.load_workbook(paths["tremplin"]).active
    header = [c.value for c in ws[1]]
    entry = header.index("DATE ENTREE") + 1
    cells = [ws.cell(row=r, column=entry) for r in range(2, ws.max_row + 1)]
    assert all(isinstance(c.value, int) and not c.is_date for c in cells)
    assert all(c.number_format == "General" for c in cells)
    first = data.of("tremplin")[0]
    assert EXCEL_EPOCH + timedelta(days=cells[0].value) == first.date_inscription_association
    assert isinstance(ws.cell(row=2, column=1).value, int)  # numeric ids
    births = [ws.cell(row=r, column=header.index("NE(E) LE") + 1).value for r in range(2, 5)]
    assert all(re.fullmatch(r"\d\d/\d\d/\d\d", b) for b in births)  # two-digit years


def test_grouped_layout_has_a_read_me_and_merged_groups(demo):
    _, paths = demo
    wb = openpyxl.load_workbook(paths["boussole"])
    assert wb.sheetnames == ["À lire", "Binômes"]
    ws = wb["Binômes"]
    merged = sorted(str(r) for r in ws.merged_cells.ranges)
    assert merged == ["C1:M1", "N1:T1", "U1:V1", "W1:AB1"]
    assert [ws.cell(row=1, column=c).value for c in (3, 14, 21, 23)] == [
        "Jeune",
        "Binôme",
        "Mentor",
        "Suivi du binôme",
    ]
    header = [c.value for c in ws[2]]
    assert header.count("Nom") == 2 and header.count("Prénom") == 2
    assert sum(span for _, span in BOUSSOLE_GROUPS) == len(header)


@pytest.mark.parametrize("key", sorted(MATCHED_LAYOUTS))
def test_matcher_reads_the_layouts_no_profile_describes(demo, key):
    """Tremplin and La Boussole write layouts no profile knows: every column is recognised
    as the writer meant it, with no question."""
    _, paths = demo
    raw = read_table(paths[key].read_bytes(), paths[key].name, header_score)
    mapping = map_columns(raw.header, cells=raw.frame, groups=raw.groups or None)
    assert mapping.profile is None and mapping.kind == Kind.ASSOCIATION
    assert not mapping.questions and not mapping.missing_required
    got = {raw.header[p]: f for p, f in mapping.columns.items()}
    assert got == {h: f for h, f in MATCHED_LAYOUTS[key].items() if f}


def test_fiches_spell_identities_differently(demo):
    data, paths = demo
    records = {r["id_source"]: r for r in _records(paths["fiches_cd"], "fiches_cd")}
    assert all(re.fullmatch(r"FC-20\d\d-\d{4}", k) for k in records)
    differing = 0
    for p in data.fiches():
        row = records[p.fiche.id_source]
        assert identity_key(row["nom"], row["prenom"]) == identity_key(p.youth.nom, p.youth.prenom)
        assert row["date_naissance"] == f"{p.youth.date_naissance:%d/%m/%Y}"  # typed as text
        differing += (row["nom"], row["prenom"]) != (p.youth.nom, p.youth.prenom)
        if p.association is None:
            assert row["association"] is None and row["date_attribution"] is None
    assert differing >= 5


# --- profiles ---------------------------------------------------------------------------------


def test_every_header_is_in_its_profile(demo):
    _, paths = demo
    for spec in FILES:
        if spec.profile is None:
            continue  # read by the matcher (test above)
        profile = _profile(spec.profile)
        assert profile["nom"] == spec.profile and profile["type"] == spec.kind
        allowed = {f.name for f in FIELDS[Kind(spec.kind)]} | {""}
        assert set(profile["colonnes"].values()) <= allowed, spec.profile
        header = [h for h in _grid(paths[spec.profile])[_header_index(spec.profile)] if h]
        added = ADDED_COLUMNS.get(spec.profile, {})
        assert set(header) - set(added) <= set(profile["colonnes"]), spec.profile
        assert len(header) == len(profile["colonnes"]) + len(added), spec.profile
        assert map_columns(header).profile == spec.profile


@pytest.mark.parametrize("profile", sorted(ADDED_COLUMNS))
def test_columns_added_to_a_profiled_layout_are_read_by_the_matcher(demo, profile):
    """Envol's export gained the follow-up columns after its profile was written: the profile
    still picks the file, the matcher reads the new columns as the writer meant them, with
    no question."""
    _, paths = demo
    path = paths[profile]
    raw = read_table(path.read_bytes(), path.name, header_score)
    mapping = map_columns(raw.header, cells=raw.frame, groups=raw.groups or None)
    assert mapping.profile == profile
    assert not mapping.questions and not mapping.missing_required
    got = {raw.header[p]: f for p, f in mapping.columns.items()}
    assert {h: got.get(h) for h in ADDED_COLUMNS[profile]} == ADDED_COLUMNS[profile]


def test_every_category_label_is_recognised(demo):
    _, paths = demo
    for spec in FILES:
        if spec.profile is None:
            continue  # read by the matcher (test below)
        profile = _profile(spec.profile)
        own = {
            table: {normalise_key(k): v for k, v in labels.items()}
            for table, labels in profile.get("valeurs", {}).items()
        }
        kind = Kind(spec.kind)
        for record in _records(paths[spec.profile], spec.profile):
            for name, value in record.items():
                if value is None or name not in {f.name for f in FIELDS[kind]}:
                    continue
                f = field(kind, name)
                if f.type not in (FieldType.CATEGORY, FieldType.CATEGORIES):
                    continue
                parts = [value] if f.type == FieldType.CATEGORY else re.split(r"[,;/]", value)
                if name in ADDED_COLUMNS.get(spec.profile, {}).values():
                    # read by the matcher (no profile labels): word by word
                    assert match_label(str(value), f.table), (spec.profile, name, value)
                    continue
                for part in parts:
                    key = normalise_key(part)
                    known = key in own.get(f.table, {}) or key in value_table(f.table).lookup
                    assert known, (spec.profile, name, part)


@pytest.mark.parametrize("key", sorted(MATCHED_LAYOUTS))
def test_every_label_of_the_matched_layouts_is_recognised_word_by_word(demo, key):
    _, paths = demo
    for record in _records(paths[key], key):
        for name, value in record.items():
            if value is None or name not in {f.name for f in FIELDS[Kind.ASSOCIATION]}:
                continue
            f = field(Kind.ASSOCIATION, name)
            if f.type == FieldType.CATEGORY:
                assert match_label(str(value), f.table), (key, name, value)
            elif f.type == FieldType.CATEGORIES:
                found, unknown = split_labels(value, str(value), f.table)
                assert found and not unknown, (key, name, value)


# --- planted defects ----------------------------------------------------------------------------


def test_planted_defects_are_in_the_files(demo):
    data, paths = demo
    expected = Counter({kind: count for kind, count in DEFECT_PLAN})
    expected.update({"doublon": 1, "date_illisible": 1, "commune_inconnue": 1})
    assert Counter(d.kind for d in data.defects) == expected
    profile_of = {BY_KEY[s.association].nom: _key(s) for s in FILES if s.association}
    records = {profile: _records(paths[profile], profile) for profile in set(profile_of.values())}
    hono = _records(paths["suivi_honorabilite"], "suivi_honorabilite")
    for defect in data.defects:
        profile = profile_of[defect.association]
        rows = [r for r in records[profile] if str(r["id_source"]) == defect.id_source]
        assert rows, defect
        row = rows[0]
        d = {
            k: _as_date(v) for k, v in row.items() if k.startswith("date_") and v != UNREADABLE_DATE
        }
        if defect.kind == "convention_avant_mise_en_relation":
            assert d["date_convention"] < d["date_mise_en_relation"]
        elif defect.kind == "fin_avant_debut":
            assert d["date_fin"] < d["date_debut"]
        elif defect.kind == "debut_sans_convention":
            assert d["date_debut"] and row["date_convention"] is None
        elif defect.kind == "debut_avant_honorabilite":
            checks = [
                _as_date(h["date_retour"])
                for h in hono
                if h["association"] == defect.association
                and identity_key(h["nom_mentor"], h["prenom_mentor"])
                == identity_key(row["nom_mentor"], row["prenom_mentor"])
            ]
            assert len(checks) == 1 and d["date_debut"] < checks[0]
        elif defect.kind == "mineur_sans_autorisation":
            born, start = d["date_naissance"], d["date_inscription"]
            age = start.year - born.year - ((start.month, start.day) < (born.month, born.day))
            assert age < 18 and d["date_debut"] and row["date_autorisation_parentale"] is None
        elif defect.kind == "doublon":
            assert len(rows) == 2 and rows[0] == rows[1]
        elif defect.kind == "date_illisible":
            assert row["date_convention"] == "31/02/2025"
        elif defect.kind == "commune_inconnue":
            assert (row["commune"], row["code_postal"]) == ("Bellevue-en-Flandre", "59999")
    for profile, rows in records.items():
        ids = Counter(str(r["id_source"]) for r in rows)
        assert sum(n - 1 for n in ids.values()) == (profile == "tremplin"), profile
