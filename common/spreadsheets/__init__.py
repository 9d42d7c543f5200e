"""The spreadsheet engine the apps' imports and exports share (django-import-export).

``resources.py`` the base resource (all rows or none, every bad row named, set-based),
``widgets.py`` the generic cell converters and natural-key lookups, ``imports.py`` the
query-free checks and the result that keeps the first rows. Each app's ``resources.py`` and
``widgets.py`` hold its own columns and references.
"""
