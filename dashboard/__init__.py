"""The only Streamlit-aware helpers: cached loaders, French formatting, shared widgets."""
