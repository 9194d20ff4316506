"""After a git merge with conflicting .po files: take our side, extract the messages of the merged code again
(makemessages), and fill every translation from both sides (theirs first, then ours).
Usage: python locale/tools/merge_catalogues.py  (inside an unfinished merge; needs gettext's msgmerge)."""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["ru", "ky", "en"]


def side(stage: str, language: str) -> dict:
    path = f"locale/{language}/LC_MESSAGES/django.po"
    shown = subprocess.run(["git", "show", f":{stage}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True)
    text = shown.stdout
    catalogue = polib.pofile(text)
    return {
        (e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural))
        for e in catalogue
        if not e.obsolete and "fuzzy" not in e.flags and (e.msgstr or any(e.msgstr_plural.values()))
    }


def main() -> None:
    tables = {language: {**side("2", language), **side("3", language)} for language in LANGUAGES}
    for language in LANGUAGES:
        subprocess.run(["git", "checkout", "--ours", f"locale/{language}/LC_MESSAGES/django.po"], cwd=ROOT, check=True)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "ru",
            "-l",
            "ky",
            "-l",
            "en",
            "--ignore=.venv",
            "--ignore=bench",
            "--ignore=tests",
            "--ignore=sochi",
            "--no-obsolete",
        ],
        cwd=ROOT,
        check=True,
        env={**__import__("os").environ, "DEBUG": "1"},
    )
    for language in LANGUAGES:
        path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(path))
        missing = []
        for entry in catalogue:
            found = tables[language].get((entry.msgctxt, entry.msgid))
            if found:
                entry.msgstr, plural = found
                if plural:
                    entry.msgstr_plural = plural
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            elif language != "ru" and (not entry.translated() or "fuzzy" in entry.flags):
                missing.append(entry.msgid)
        catalogue.save()
        print(f"{language}: {len(missing)} untranslated or fuzzy")
        for msgid in missing:
            print("   ", repr(msgid)[:100])


if __name__ == "__main__":
    main()
