"""The only Streamlit code outside app.py and app_pages/: cached resources, session state, sign-in, widgets."""
