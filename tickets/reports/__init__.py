"""The monthly complaint summary: `summary` (the figures, a read), `exports` (XLSX and CSV
through propserv.exports) and `filing` (the beat's monthly write)."""
