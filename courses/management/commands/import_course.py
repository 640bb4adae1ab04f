from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from courses.bundles import BundleError, bundle_import


class Command(BaseCommand):
    help = (
        "Import a course bundle (folder or .zip) as a new course, or as a new draft of the "
        "course with the same slug. Nothing is written if the bundle has any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--agency", help="Owner agency slug (default: a platform course).")
        parser.add_argument("--publish", action="store_true", help="Publish after importing.")

    def handle(self, *args, path, agency, publish, **options):
        owner = None
        if agency:
            owner = Agency.objects.filter(slug=agency).first()
            if owner is None:
                raise CommandError(f"No agency with the slug {agency!r}.")
        try:
            course = bundle_import(path, actor=None, agency=owner, publish=publish)
        except BundleError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(error.problems)} problem(s); nothing was imported.") from None
        state = f"published as version {course.current_version.number}" if publish else "draft"
        self.stdout.write(self.style.SUCCESS(f"Imported {course.slug} ({state})."))
