"""The fault suite (`make faults`): see bench/README.md, "Faults"."""
