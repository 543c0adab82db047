"""Services of the tickets app, one module (or package) per subject, layered from the bottom up:
`callbacks` and `second_handlings` (the callback steps; they import no ticket service) ←
`repairs`, `complaints` (each closes or reopens its ticket after a callback) ← `queue` (routes a
callback's outcome from the queue to its ticket's service)."""
