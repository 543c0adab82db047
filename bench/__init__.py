"""Speed measurements, run with `make bench` (see bench/README.md)."""
