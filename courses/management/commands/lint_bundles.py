import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courses.bundles.lint import default_bundles, expand_paths, lint_bundles


class Command(BaseCommand):
    help = (
        "Check course bundles for quiz patterns (answer position, answer length, true/false "
        "balance), missing or contradictory explanations, time estimates against word counts, "
        "links and French typography. Exits with status 1 when anything is found. "
        "See docs/course-bundles.md, 'Checking a bundle'."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            help="Bundle folders or zips, or folders of bundles (default: every bundle in content/).",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, paths, format, **options):
        if paths:
            bundles = expand_paths([Path(p) for p in paths])
        else:
            bundles = default_bundles(Path(settings.BASE_DIR) / "content")
            cwd = Path.cwd()
            bundles = [p.relative_to(cwd) if p.is_relative_to(cwd) else p for p in bundles]
        missing = [str(p) for p in bundles if not p.exists()]
        if missing:
            raise CommandError(f"No such bundle: {', '.join(missing)}")
        findings = lint_bundles(bundles)
        if format == "json":
            self.stdout.write(json.dumps([f.as_dict() for f in findings], indent=2))
        else:
            for finding in findings:
                self.stdout.write(str(finding))
        if findings:
            raise CommandError(
                f"{len(findings)} finding(s) in {len(bundles)} bundle(s).", returncode=1
            )
        if format == "text":
            self.stdout.write(self.style.SUCCESS(f"{len(bundles)} bundle(s): no findings."))
