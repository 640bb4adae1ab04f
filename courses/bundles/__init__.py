"""Portable course bundles: a folder or zip holding course.yaml, lessons/*.md and files/*.

See docs/course-bundles.md for the format. Import validates everything first, reports every
problem with its file and line (or field path), and only then writes, in one transaction.

- `source`: reading a folder or a zip, within the size and read budgets.
- `manifest`: YAML with line numbers and the course manifest's checks.
- `importing`: writing a valid bundle (courses and learning paths).
- `export`: a course as a bundle.
- `lint` and `lesson_checks`: what import accepts but a good course avoids (`lint_bundles`).
"""

from .export import bundle_export, bundle_files, bundle_write_folder
from .importing import bundle_import, path_import
from .manifest import load_yaml, parse_course_bundle
from .source import COURSE_FORMAT, MANIFEST, PATH_FORMAT, BundleError, BundleSource

__all__ = [
    "COURSE_FORMAT",
    "MANIFEST",
    "PATH_FORMAT",
    "BundleError",
    "BundleSource",
    "bundle_export",
    "bundle_files",
    "bundle_import",
    "bundle_write_folder",
    "load_yaml",
    "parse_course_bundle",
    "path_import",
]
