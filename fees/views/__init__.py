"""The fees pages, one module per subject: the cashier's desk and receipts, account statements,
arrears and the arrears notice, billing runs."""
