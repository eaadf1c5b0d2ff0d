"""Who may act for an organisation: officers' roles and the one check every officer view
passes (``omov.web.access.checks``)."""
