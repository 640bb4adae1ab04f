"""Seed the starter curriculum from content/: platform courses for every agency, and paths."""

from pathlib import Path

import yaml
from django.conf import settings

from .bundles import BundleSource, bundle_import, parse_course_bundle, path_import
from .catalog_version import catalog_changed
from .models import Course, Topic
from .services.content import content_hash

CONTENT_DIR = Path(settings.BASE_DIR) / "content"


def seed_courses(*, content_dir: Path = CONTENT_DIR) -> dict:
    """Import and publish every bundle in content_dir, then the paths in content_dir/paths.

    Idempotent: a course whose published version already has the bundle's content is skipped.
    Returns {"published": [slugs], "unchanged": [slugs], "paths": [slugs]}; an invalid bundle
    raises BundleError with every problem.
    """
    report = {"published": [], "unchanged": [], "paths": []}
    for folder in sorted(p for p in content_dir.iterdir() if (p / "course.yaml").is_file()):
        content, problems = parse_course_bundle(BundleSource(folder))
        if not problems:
            existing = (
                Course.objects.filter(slug=content["slug"], owner__isnull=True)
                .select_related("current_version")
                .first()
            )
            version = existing.current_version if existing else None
            if version is not None and version.content_hash == content_hash(content):
                report["unchanged"].append(content["slug"])
                continue
        course = bundle_import(folder, actor=None, agency=None, publish=True)
        report["published"].append(course.slug)
    _name_topics(content_dir / "topics.yaml")
    paths_dir = content_dir / "paths"
    if paths_dir.is_dir():
        for file in sorted(paths_dir.glob("*.yaml")):
            report["paths"].append(path_import(file).slug)
    return report


def _name_topics(names_file: Path) -> None:
    """Give topics their display names from content/topics.yaml (slugs are all bundles carry)."""
    if not names_file.is_file():
        return
    for slug, name in (yaml.safe_load(names_file.read_text(encoding="utf-8")) or {}).items():
        if Topic.objects.filter(slug=slug).exclude(name=name).update(name=str(name)):
            catalog_changed()
