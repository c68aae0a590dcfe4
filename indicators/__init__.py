"""Indicators: pure functions over the consolidated dataset (docs/domaine.md, « Indicateurs »).

No Streamlit here and no database: pages, exports and the command line all call these
functions, so each figure has one definition. Each indicator module carries its French
definition text (`DEFINITION`), shown in the page beside the figure.
"""
