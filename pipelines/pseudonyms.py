"""Pseudonyms of youths and mentors: keyed hashes of normalised names (docs/domaine.md,
« Pseudonymes »).

`id_jeune` = HMAC-SHA256(key, normalised nom + prénom + "|" + ISO birth date) and
`id_mentor` = HMAC-SHA256(key, normalised association + "|" + normalised nom + prénom), both as
lowercase hex. Names are normalised so that the usual spreadsheet variations (case, accents,
hyphens, apostrophes, swapped nom/prénom columns) give one pseudonym.

The key lives outside the database: the setting `settings.SECRET_KEY` (environment),
Streamlit's secrets.toml or a key file. It is never logged, printed or put in a message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import os
import re
import secrets
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

import settings
from pipelines.errors import IngestError

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_KEY_FILE = REPO_ROOT / "data" / "cle_pseudonymisation.key"
SECRETS_FILE = REPO_ROOT / ".streamlit" / "secrets.toml"
MIN_KEY_LENGTH = 32

# Letters that NFKD does not decompose, mapped before stripping accents (after uppercasing).
_UPPER_LIGATURES = str.maketrans(
    {
        "Œ": "OE",
        "Æ": "AE",
        "ẞ": "SS",  # capital sharp s; "ß".upper() is already "SS"
        "Ø": "O",
        "Ł": "L",
        "Đ": "D",
        "Ð": "D",
        "Þ": "TH",
    }
)
# Apostrophes are deleted, not turned into spaces: N'Diaye -> NDIAYE. U+02BC is a letter
# (category Lm) and U+00B4 decomposes into a space + accent, so both are removed explicitly.
_APOSTROPHES = str.maketrans(dict.fromkeys("'’‘ʼ`´", None))
_PERSON_TOKEN = re.compile(r"[^\W\d_]+")  # runs of letters: anything else separates tokens
_ASSOCIATION_TOKEN = re.compile(r"[^\W_]+")  # letters and digits ("Envol 93" != "Envol 92")


def _fold(text: str) -> str:
    """Uppercase, ligatures expanded, accents and apostrophes removed."""
    text = text.upper().translate(_UPPER_LIGATURES).translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", text)
    # NFKD can produce lowercase compatibility forms (e.g. superscripts); uppercase again.
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


@lru_cache(maxsize=200_000)
def _person_tokens(part: str) -> tuple[str, ...]:
    return tuple(_PERSON_TOKEN.findall(_fold(part)))


@lru_cache(maxsize=10_000)
def normalise_association(name: str | None) -> str:
    """Association name as matched in `id_mentor`: like names, but tokens kept in order and
    digits kept ("Envol Mentorat" == "ENVOL-MENTORAT")."""
    if not isinstance(name, str):
        return ""
    return " ".join(_ASSOCIATION_TOKEN.findall(_fold(name)))


def _part_text(part: object) -> str | None:
    """A name part as text; None when missing (None, NaN, pd.NA)."""
    if part is None or part is pd.NA:
        return None
    if isinstance(part, str):
        return part
    if isinstance(part, float) and part != part:  # NaN
        return None
    return str(part)


def normalise_person(*parts: str | None) -> str:
    """Normalised name: uppercase, no accents, apostrophes deleted, other non-letters as
    separators, the tokens of all parts sorted together and joined by one space.

    ("Dupont", "Marie-Claire") == ("MARIE CLAIRE", "dupont") == ("dupont marie", "claire").
    Missing parts count as empty.
    """
    tokens: list[str] = []
    for part in parts:
        text = _part_text(part)
        if text is not None:
            tokens.extend(_person_tokens(text))
    return " ".join(sorted(tokens))


def _hex_hmac(key: bytes, message: str) -> str:
    # hmac.digest is the one-shot C implementation: same value as hmac.new(...).hexdigest().
    return hmac.digest(key, message.encode("utf-8"), "sha256").hex()


def _as_date(value: dt.date) -> dt.date:
    # datetime (and pd.Timestamp) are dates too, but their isoformat() carries the time.
    return value.date() if isinstance(value, dt.datetime) else value


def id_jeune(key: bytes, nom: str | None, prenom: str | None, date_naissance: dt.date) -> str:
    """Pseudonym of a youth: hex HMAC-SHA256 of "<normalised nom prénom>|<YYYY-MM-DD>"."""
    person = normalise_person(nom, prenom)
    return _hex_hmac(key, f"{person}|{_as_date(date_naissance).isoformat()}")


def id_mentor(key: bytes, association: str | None, nom: str | None, prenom: str | None) -> str:
    """Pseudonym of a mentor: hex HMAC-SHA256 of "<normalised association>|<normalised name>"."""
    return _hex_hmac(key, f"{normalise_association(association)}|{normalise_person(nom, prenom)}")


# --- vectorised helpers -------------------------------------------------------------------


def _names(values: pd.Series | Iterable[object]) -> list[str]:
    """Sorted normalised tokens of each value ("" when missing or blank), cached per value."""
    if isinstance(values, pd.Series):
        values = values.tolist()  # iterating a "string" Series costs ~1 µs a cell, this 50 ns
    cache: dict[object, str] = {}
    out: list[str] = []
    for value in values:
        try:
            out.append(cache[value])
            continue
        except (KeyError, TypeError):
            pass
        text = _part_text(value)
        norm = " ".join(sorted(_person_tokens(text))) if text is not None else ""
        with contextlib.suppress(TypeError):  # unhashable values are just not cached
            cache[value] = norm
        out.append(norm)
    return out


def _join_sorted(a: str, b: str) -> str:
    if not a:
        return b
    if not b:
        return a
    return " ".join(sorted(a.split(" ") + b.split(" ")))


def _iso_dates(values: pd.Series) -> np.ndarray:
    """ISO text of each date ("" when missing): accepts datetime64 Series or date objects."""
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = pd.to_datetime(values, errors="coerce")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    days = values.to_numpy(dtype="datetime64[D]")
    iso = days.astype(str)
    iso[np.isnat(days)] = ""
    return iso


def _hash_all(key: bytes, messages: Iterable[str | None], index: pd.Index) -> pd.Series:
    cache: dict[str, str] = {}
    out: list[str | None] = []
    sign = hmac.digest  # _hex_hmac inlined: one call less per row
    for msg in messages:
        if msg is None:
            out.append(None)
            continue
        digest = cache.get(msg)
        if digest is None:
            digest = cache[msg] = sign(key, msg.encode("utf-8"), "sha256").hex()
        out.append(digest)
    return pd.Series(out, index=index, dtype="string")


def ids_jeunes(
    key: bytes, nom: pd.Series, prenom: pd.Series, date_naissance: pd.Series
) -> pd.Series:
    """`id_jeune` of each row (string dtype, same index as `nom`); <NA> where the nom, the
    prénom or the birth date is missing or blank. `date_naissance` may be a datetime64 Series
    (NaT = missing) or hold date / datetime objects."""
    noms = _names(nom)
    prenoms = _names(prenom)
    dates = _iso_dates(pd.Series(date_naissance)).tolist()  # str, not numpy.str_, per row
    messages = (
        f"{_join_sorted(n, p)}|{d}" if n and p and d else None
        for n, p, d in zip(noms, prenoms, dates, strict=True)
    )
    return _hash_all(key, messages, nom.index)


def ids_mentors(
    key: bytes, association: pd.Series | str | None, nom: pd.Series, prenom: pd.Series
) -> pd.Series:
    """`id_mentor` of each row (string dtype, same index as `nom`); <NA> when both the nom and
    the prénom are blank. `association` is one name for all rows or a Series."""
    noms = _names(nom)
    prenoms = _names(prenom)
    if isinstance(association, pd.Series):
        assos = [normalise_association(_part_text(a)) for a in association.tolist()]
    else:
        assos = [normalise_association(association)] * len(noms)
    messages = (
        f"{a}|{_join_sorted(n, p)}" if n or p else None
        for a, n, p in zip(assos, noms, prenoms, strict=True)
    )
    return _hash_all(key, messages, nom.index)


# --- key ------------------------------------------------------------------------------------

_NO_KEY_MESSAGE = (
    "Aucune clé de pseudonymisation n'est configurée : impossible de calculer les "
    "identifiants des jeunes et des mentors. En local, lancez « make run », qui crée une clé "
    "dans {path}. En production, définissez la variable d'environnement {env} (au moins "
    "{min} caractères, à conserver hors de la base et à ne jamais changer : une autre clé "
    "donne d'autres identifiants)."
)


def _from_secrets(path: Path) -> str:
    """The key in the `[pilotage]` section of Streamlit's secrets.toml
    (`settings.SECRET_KEY.secrets_key`: `cle_pseudonymisation`)."""
    if not path.is_file():
        return ""
    try:
        parsed = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise IngestError(f"Le fichier de secrets {path} est illisible (TOML invalide).") from None
    return str(parsed.get("pilotage", {}).get(settings.SECRET_KEY.secrets_key, "")).strip()


def load_key(
    env: Mapping[str, str] | None = None,
    key_file: Path | None = None,
    secrets_file: Path | None = None,
) -> bytes:
    """The pseudonymisation key, as UTF-8 bytes.

    `settings.SECRET_KEY` (text, at least 32 characters; spaces around it ignored) wins;
    then `cle_pseudonymisation` in the `[pilotage]` section of `.streamlit/secrets.toml`;
    otherwise the file named by `settings.SECRET_KEY_FILE`, otherwise `key_file` (default
    `data/cle_pseudonymisation.key`, created by `make run` for a local trial). Raises
    IngestError (French message, never containing the key) when no key is found or when it
    is shorter than 32 characters.
    """
    text = (settings.SECRET_KEY.value(env) or "").strip()
    source = f"la variable d'environnement {settings.SECRET_KEY.env}"
    if not text:
        secrets_path = secrets_file or SECRETS_FILE
        text = _from_secrets(secrets_path)
        source = f"le fichier {secrets_path}"
    if not text:
        configured = (settings.SECRET_KEY_FILE.value(env) or "").strip()
        path = Path(configured) if configured else (key_file or DEFAULT_KEY_FILE)
        if configured and not path.is_file():
            raise IngestError(
                "Le fichier de clé de pseudonymisation indiqué par "
                f"{settings.SECRET_KEY_FILE.env} est introuvable : {path}."
            )
        if not path.is_file():
            raise IngestError(
                _NO_KEY_MESSAGE.format(path=path, env=settings.SECRET_KEY.env, min=MIN_KEY_LENGTH)
            )
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise IngestError(
                f"Le fichier de clé de pseudonymisation {path} est illisible "
                f"({type(exc).__name__})."
            ) from None
        source = f"le fichier {path}"
    if len(text) < MIN_KEY_LENGTH:
        raise IngestError(
            f"La clé de pseudonymisation lue dans {source} est trop courte : il faut au moins "
            f"{MIN_KEY_LENGTH} caractères."
        )
    return text.encode("utf-8")


def create_key_file(path: Path = DEFAULT_KEY_FILE) -> bool:
    """Create a random key file (mode 0600) unless it exists; True when it was created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_urlsafe(48) + "\n")
    os.chmod(path, 0o600)
    return True
