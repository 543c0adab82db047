"""The tickets API, one module per subject (routes in tickets/api_urls.py)."""

from tickets.api.repairs import RepairFilter

__all__ = ["RepairFilter"]
