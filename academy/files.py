"""Serving private files (lesson attachments, report files) after a view has checked access.

Nothing under MEDIA_ROOT (or in the bucket) is reachable by URL on its own: a view looks the
file up inside what the user may see, then hands its storage name here. Three ways out, chosen
by settings, so a web server or object store does the copying once Django has said yes:

- `ACADEMY_X_ACCEL_REDIRECT_PREFIX` set (say `/protected/`): an empty response with
  `X-Accel-Redirect: <prefix><name>`; nginx serves the file from an `internal` location that
  maps the prefix to MEDIA_ROOT (docs/deploy.md, "Private files").
- the default storage is S3-compatible (django-storages, `ACADEMY_S3_BUCKET`): a redirect to a
  signed URL that expires after `AWS_QUERYSTRING_EXPIRE` seconds (60).
- otherwise (the embedded run): Django streams the file itself (FileResponse).

Every answer carries `X-Content-Type-Options: nosniff`, is private to the browser's cache, and
offers the file as a download unless it is an image (which lessons show inline).
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def _is_s3(storage) -> bool:
    return type(storage).__module__.startswith("storages.backends.s3")


def _finish(response, *, inline: bool, download_name: str):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not inline, filename=download_name
    )
    patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
    return response


def private_file_response(name: str, download_name: str, content_type: str, *, storage=None):
    """The response that delivers the stored file `name` to a user already allowed to have it.

    404 if the storage has no such file (embedded run; the web server and the bucket answer
    their own 404 otherwise).
    """
    storage = storage or default_storage
    inline = content_type in INLINE_TYPES
    prefix = getattr(settings, "ACADEMY_X_ACCEL_REDIRECT_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
        return _finish(response, inline=inline, download_name=download_name)
    if _is_s3(storage):
        disposition = content_disposition_header(as_attachment=not inline, filename=download_name)
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
        )
        return _finish(HttpResponseRedirect(url), inline=inline, download_name=download_name)
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    return _finish(response, inline=inline, download_name=download_name)
