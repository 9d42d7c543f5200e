"""Pieces every app shares, below all of them: plain Python on Django and its libraries.

Not a Django app (no models, no templates, nothing in ``INSTALLED_APPS``), and it imports no
app of the project: ``accounts``, ``networks``, ``practices``, ``conferences`` and ``portal``
build on it (see docs/architecture.md, "Layers"; ``lint-imports`` checks it).
"""
