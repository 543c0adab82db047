"""Screens of the key cabinet, one module per family (urls.py names each view)."""
