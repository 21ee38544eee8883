"""Helpers for the real-browser test: a JupyterLab server on loopback and headless Chromium (BROWSER.md)."""
