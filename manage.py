#!/usr/bin/env python3
import os
import sys
from pathlib import Path


def main() -> None:
    # A developer's .env (written by `make install`: DEBUG=1, DEMO_MODE=1) fills what the environment leaves
    # unset; production has no .env and sets real variables. wsgi.py never reads it.
    from dotenv import load_dotenv

    load_dotenv(Path(__file__).resolve().parent / ".env", override=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elsom_portal.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
