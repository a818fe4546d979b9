"""Compile every .po catalogue of the project into .mo, in pure Python.

Django's compilemessages needs GNU gettext's msgfmt, which a fresh machine may lack;
polib writes the same .mo files, so `make` needs nothing beyond the locked packages.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's .po translation catalogues into .mo files."

    def handle(self, *args, **options):
        count = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in Path(locale_dir).rglob("*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                count += 1
        if options["verbosity"] >= 1:
            self.stdout.write(f"Compiled {count} catalogue(s).")
