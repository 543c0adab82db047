"""Services of the tickets app, one module per subject (repairs, callbacks, complaints)."""
