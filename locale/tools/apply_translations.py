"""Fill Kyrgyz and English translations into the catalogues from a dict file: {msgid: (ky, en)}.
Usage: python locale/tools/apply_translations.py FILE.py  (clears the fuzzy flag of what it fills)."""

import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]


def main(path: str) -> None:
    table = runpy.run_path(path)["T"]
    for index, language in ((0, "ky"), (1, "en")):
        po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
        filled = 0
        for entry in po:
            if entry.msgid in table and not entry.obsolete:
                entry.msgstr = table[entry.msgid][index]
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
                filled += 1
        po.save()
        missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
        print(f"{language}: {filled} filled, {len(missing)} still untranslated or fuzzy")
        for msgid in missing:
            print("   ", repr(msgid)[:100])


if __name__ == "__main__":
    main(sys.argv[1])
