"""What the tickets selectors share."""

from __future__ import annotations


def first_open_deadline(deadlines):
    """The open deadline due first among `deadlines` (prefetched), or None."""
    open_ = sorted((d for d in deadlines if d.is_open), key=lambda d: d.due_at)
    return open_[0] if open_ else None
