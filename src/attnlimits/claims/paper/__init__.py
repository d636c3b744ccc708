"""The paper's claims, one module each (one claim per module; the module name is the claim's id with ``_`` for
``-``).

Each module declares its claim once and registers it (``CLAIM = register_claim(Claim(id, title, statement,
order=..., cost=...))``), then attaches by decorators its measurement (``@CLAIM.measure``), its figure's
drawing (``@CLAIM.drawing(figsize=...)``) and its grids' sweep cell kinds (``@CLAIM.cell_kind(name)``).
Nothing else lists the claims: ``attnlimits.claims`` imports every module of this package (with
``pkgutil``) the first time it is asked for them, and the report shows them by ``order``. The
how-to guide ``docs/how-to/add-claim.md`` walks through one.
"""
