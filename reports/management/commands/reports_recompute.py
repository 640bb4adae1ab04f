from django.core.management.base import BaseCommand

from reports.services.recompute import aggregates_recompute


class Command(BaseCommand):
    help = "Recompute the dashboard aggregates from the enrollments; report (and repair) drift."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only report drift; change nothing. Exit status 1 on drift.",
        )

    def handle(self, *args, check, **options):
        drift = aggregates_recompute(repair=not check)
        for agency_id, cells in drift.items():
            self.stdout.write(f"Agency {agency_id}: {len(cells)} cells differed")
            for cell in cells[:20]:
                self.stdout.write(
                    f"  {cell.table} {cell.key}: stored {cell.stored}, expected {cell.expected}"
                )
        if not drift:
            self.stdout.write("No drift.")
        elif check:
            raise SystemExit(1)
