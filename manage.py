#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path

# Nothing configured at all (no environment, no .env): a developer's checkout, so commands
# such as `makemigrations --check` run with the development defaults. A deployment sets
# DATABASE_URL (or DJANGO_DEBUG=0), and then the settings still refuse to start without a
# secret key; gunicorn (portal/wsgi.py) never takes this default.
CONFIGURATION = ("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DATABASE_URL")


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    unconfigured = not any(name in os.environ for name in CONFIGURATION)
    if unconfigured and not (Path(__file__).resolve().parent / ".env").exists():
        os.environ["DJANGO_DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
