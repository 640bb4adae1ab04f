import datetime

from django.core.management.base import BaseCommand, CommandError

from reports.services.snapshots import last_finished_day, snapshots_backfill


class Command(BaseCommand):
    help = "Write DailySnapshot rows for a range of past days (idempotent; fills missed days)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--start",
            type=datetime.date.fromisoformat,
            help="First day (YYYY-MM-DD); default: 7 days ago.",
        )
        parser.add_argument(
            "--end",
            type=datetime.date.fromisoformat,
            help="Last day (YYYY-MM-DD); default: yesterday (the last day "
            "that has ended in every agency's time zone).",
        )

    def handle(self, *args, start, end, **options):
        yesterday = last_finished_day()
        end = end or yesterday
        start = start or end - datetime.timedelta(days=6)
        if start > end:
            raise CommandError("--start must not be after --end.")
        if end > yesterday:
            raise CommandError("Only finished days can be written (up to yesterday).")
        changed = snapshots_backfill(start=start, end=end)
        self.stdout.write(f"Snapshots {start} to {end}: {changed} rows written or changed.")
