"""Staff screens of the front desk, one module per family: reception (the duty log), lookup,
handover, defects, registers (lost and found, incidents), notices, qr (printable sheets)."""
