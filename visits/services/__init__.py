"""Every write of the front desk goes through a service here (web, API, tasks alike), one module
per family: reception (the duty log), complaints (an entry becomes a complaint), handover,
defects, registers (lost and found, incidents), notices, web_reports (the residents' form).

Each public service checks the actor (propserv.access.check_actor) and then works in one
transaction on the locked row (docs/architecture.md, "A request that changes something").
"""
