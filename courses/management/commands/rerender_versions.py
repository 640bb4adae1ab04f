from django.core.management.base import BaseCommand

from courses.services.rerender import course_versions_rerender


class Command(BaseCommand):
    help = "Render every published version's HTML again with today's Markdown rules."

    def handle(self, *args, **options):
        changed = course_versions_rerender()
        self.stdout.write(f"{changed} version(s) re-rendered.")
