from pathlib import Path

import polib
from django.core.management.base import BaseCommand

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"


class Command(BaseCommand):
    help = "Compile СОЧИ's sochi/locale/*/LC_MESSAGES/*.po into .mo with polib (no system gettext needed)."

    def handle(self, *args, **options):
        compiled = 0
        for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled += 1
        self.stdout.write(f"sochi translations: {compiled} catalogue(s) compiled")
