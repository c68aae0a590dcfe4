"""The first run of a new installation: while no administrator account was ever created,
the machine the server runs on may create the first one from the browser (the way Metabase
or Grafana set up their first user). Anywhere else, and once one exists, this form is never
shown: further accounts are created by that administrator (page « Comptes », or
`pilotage users`).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlalchemy import Engine

from auth.accounts import AccountError, create_first_admin
from auth.passwords import MIN_LENGTH
from auth.roles import Identity
from dashboard.markdown import message


def first_admin_form(
    engine: Engine, origine: str | None, oidc: bool, signed_in: Callable[[Identity], None]
) -> None:
    """The form; on success the new administrator is signed in (`signed_in`) and the app
    reruns on its pages."""
    st.title("Premier démarrage : créer le compte administrateur")
    st.markdown(
        "Aucun compte administrateur n'existe encore dans cette base. Comme vous êtes sur le "
        "poste où tourne le tableau de bord, vous pouvez créer le premier ici. "
        "Ce compte pourra ensuite ouvrir les comptes des autres personnes "
        "(page « Comptes »). Cette page disparaît dès qu'il existe."
    )
    with st.form("premier_administrateur"):
        identifiant = st.text_input(
            "Adresse e-mail de l'administrateur" if oidc else "Identifiant (votre adresse e-mail)",
            autocomplete="username",
        )
        if oidc:
            st.caption(
                "Connexion par le fournisseur d'identité du département : pas de mot de passe "
                "ici, vous vous connecterez avec votre compte habituel."
            )
            password = confirmation = None
        else:
            password = st.text_input(
                f"Mot de passe ({MIN_LENGTH} caractères au moins)",
                type="password",
                autocomplete="new-password",
            )
            confirmation = st.text_input(
                "Le même mot de passe, une seconde fois",
                type="password",
                autocomplete="new-password",
            )
        submitted = st.form_submit_button("Créer le compte administrateur", type="primary")
    if not submitted:
        return
    if not oidc and password != confirmation:
        st.error("Les deux mots de passe diffèrent : saisissez-les à nouveau.")
        return
    try:
        identity = create_first_admin(engine, identifiant, password, origine)
    except AccountError as exc:
        st.error(message(exc.message))
        return
    if oidc:
        st.success(
            f"Compte administrateur « {identity.identifiant} » créé : connectez-vous avec le "
            "fournisseur d'identité."
        )
        return
    signed_in(identity)
    st.rerun()
