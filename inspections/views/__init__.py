"""Screens of renovation, one module per family (urls.py names each view)."""
