"""The managers' dashboard: the KPI cards the apps register (`propserv.registry`), for the
estates a manager covers and a period, as a page that refreshes itself, a JSON API, CSV/XLSX
exports and the printable monthly service report."""
