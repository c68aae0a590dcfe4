"""Streamlit-aware helpers for the pages: access, cached loaders, filters, page building
blocks and the parts of each page. With pages/ and app.py, the only modules that import
Streamlit."""
