"""Clinical derivations shared by the engines (risk, dosimetry, trials): plain Python, no Django.

``apps.clinical`` is a package, not a Django app: it holds no models. Its modules read only
``apps.cases.facts`` and ``apps.cases.vocabulary`` (tests assert this), so every engine can import it.
"""
