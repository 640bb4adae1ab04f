"""Limits of the courses app. Each can be overridden by a setting of the same name."""

from django.conf import settings


def limit(name: str):
    return getattr(settings, name, DEFAULTS[name])


DEFAULTS = {
    # Largest single file in a bundle (manifest, lesson or attachment), and the whole bundle.
    "ACADEMY_BUNDLE_MAX_FILE_BYTES": 2 * 1024 * 1024,
    "ACADEMY_BUNDLE_MAX_TOTAL_BYTES": 50 * 1024 * 1024,
    "ACADEMY_BUNDLE_MAX_FILES": 500,
    # Per import: the bytes read from the bundle in all (each file is read at most once), one
    # lesson's Markdown, and the HTML that all lessons render to (Markdown can amplify: a short
    # reference link may repeat a long URL thousands of times).
    "ACADEMY_BUNDLE_MAX_READ_BYTES": 50 * 1024 * 1024,
    "ACADEMY_BUNDLE_MAX_LESSON_BYTES": 256 * 1024,
    "ACADEMY_BUNDLE_MAX_RENDERED_BYTES": 32 * 1024 * 1024,
    # Any one Markdown text (lesson, prompt, explanation), studio preview included: the HTML
    # it may render to. Measured before the HTML is written, so memory stays about ten times
    # this whatever the amplification (reference links, abbreviations, tables of contents).
    "ACADEMY_MARKDOWN_MAX_HTML_BYTES": 4 * 1024 * 1024,
    # Lesson attachments: size and the allowed extensions with their content types.
    "ACADEMY_ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "ACADEMY_ATTACHMENT_TYPES": {
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".gif": "image/gif",
        ".webp": "image/webp",
        ".pdf": "application/pdf",
        ".txt": "text/plain",
        ".csv": "text/csv",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    },
}
