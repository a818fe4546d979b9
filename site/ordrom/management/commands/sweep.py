from django.core.management.base import BaseCommand

from ordrom import sweeps


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks (retention, deadline watch, ...). Run it every few "
        "minutes from cron or a systemd timer; every task is idempotent."
    )

    def handle(self, *args, **options):
        names = sweeps.enqueue_all()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Enqueued {len(names)} task(s): {', '.join(names) or '-'}")
