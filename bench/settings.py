"""Production settings plus two floor views (B0, B1) for the benchmark, never deployed.

The floors are served by the same process, behind the same middleware, as the pages they are
compared with; only the URL configuration and the static root differ from production.
"""

import os

from portal.settings.base import *  # noqa: F403
from portal.settings.base import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
# collectstatic writes into a temporary folder, so the repository's staticfiles/ is untouched.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", str(BASE_DIR / "staticfiles"))
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
