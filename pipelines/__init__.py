"""Ingestion of association exports, CD fiches and the honorabilité follow-up."""
