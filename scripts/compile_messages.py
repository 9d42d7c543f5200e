"""Compile the gettext catalogues with polib (pure Python: no GNU gettext needed).

    python scripts/compile_messages.py          # write every locale/*/LC_MESSAGES/*.mo
    python scripts/compile_messages.py --check  # fail when a .mo is missing or out of date

The committed .mo files let a fresh machine without gettext serve Spanish pages;
tests/portal/test_translations.py checks that the catalogue is complete and current.
"""

import argparse
import sys
import tempfile
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def compiled_bytes(po_path: Path) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "out.mo"
        polib.pofile(str(po_path)).save_as_mofile(str(target))
        return target.read_bytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    stale = []
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        data = compiled_bytes(po_path)
        if args.check:
            if not mo_path.exists() or mo_path.read_bytes() != data:
                stale.append(mo_path)
        else:
            mo_path.write_bytes(data)
            print(f"compiled {mo_path.relative_to(LOCALE_DIR.parent)}")
    for path in stale:
        print(f"out of date: {path} (run: make messages)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
