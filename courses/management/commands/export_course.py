from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from courses.bundles import bundle_export, bundle_write_folder
from courses.models import Course


class Command(BaseCommand):
    help = "Export a course as a bundle: a folder, or a zip file if PATH ends in .zip."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("path")
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Export the draft instead of the published version.",
        )

    def handle(self, *args, slug, path, draft, **options):
        course = Course.objects.select_related("current_version").filter(slug=slug).first()
        if course is None:
            raise CommandError(f"No course with the slug {slug!r}.")
        target = Path(path)
        try:
            if target.suffix.lower() == ".zip":
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(bundle_export(course, draft=draft))
            else:
                if target.exists() and any(target.iterdir()):
                    raise CommandError(f"{target} is not empty.")
                bundle_write_folder(course, target, draft=draft)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Exported {slug} to {target}."))
