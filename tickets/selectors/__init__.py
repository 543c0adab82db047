"""Composite reads of tickets (boards, lists, queues, repeats), one module per subject. Views,
reports and the API read through these; nothing here writes."""
