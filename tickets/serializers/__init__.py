"""API representations of tickets, one module per subject."""
