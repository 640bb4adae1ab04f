from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from academy.demo import DEMO_SIGN_INS, run_seeders
from agencies.demo import seed_bulk_learners


class Command(BaseCommand):
    help = "Create the demo world (agencies, people, content, progress). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--learners",
            type=int,
            default=0,
            help="Also add this many bulk learners (for benchmarks).",
        )
        parser.add_argument(
            "--agency", default="demo-agency", help="Agency slug that receives the bulk learners."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never on a real deployment).",
        )

    def handle(self, *args, learners, agency, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: this looks like a production "
                "configuration. Use --force only on a throwaway database."
            )
        run_seeders(stdout=self.stdout)
        if learners:
            added = seed_bulk_learners(agency_slug=agency, count=learners)
            self.stdout.write(f"Bulk learners: {added} added to {agency}.")
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for line in DEMO_SIGN_INS:
            self.stdout.write(line)
