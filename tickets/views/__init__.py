"""Staff screens of tickets, one module per subject (routes in tickets/urls.py)."""
