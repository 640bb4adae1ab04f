"""Reading a bundle: a folder or a zip, by relative POSIX path, within the limits of conf.py."""

import io
import os
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..conf import limit

COURSE_FORMAT = "academy-course/1"
PATH_FORMAT = "academy-path/1"
MANIFEST = "course.yaml"


class BundleError(ValidationError):
    """An invalid bundle. `problems` lists every problem as "file:line: path: message"."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(self.problems)


# --- reading a folder or a zip -------------------------------------------------------------


class BundleSource:
    """The files of a bundle, by relative POSIX path, with their sizes; read on demand."""

    def __init__(self, origin):
        self.problems: list[str] = []
        self._zip = None
        self._root = None
        self.sizes: dict[str, int] = {}
        self.bytes_read = 0
        self._read: set[str] = set()
        if isinstance(origin, str | os.PathLike) and Path(origin).is_dir():
            self._root = Path(origin).resolve()
            for path in sorted(self._root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    self.sizes[path.relative_to(self._root).as_posix()] = path.stat().st_size
        else:
            try:
                if isinstance(origin, bytes):
                    origin = io.BytesIO(origin)
                self._zip = zipfile.ZipFile(origin)
            except (zipfile.BadZipFile, OSError) as error:
                self.problems.append(
                    _("The bundle is neither a folder nor a zip file (%s).") % error
                )
                return
            for info in self._zip.infolist():
                name = info.filename
                if info.is_dir():
                    continue
                parts = PurePosixPath(name).parts
                if name.startswith("/") or ".." in parts or "\\" in name:
                    self.problems.append(_("%s: unsafe path in the zip file") % name)
                    continue
                self.sizes[name] = info.file_size
            self._prefix = self._common_prefix()
            if self._prefix:
                self.sizes = {k[len(self._prefix) :]: v for k, v in self.sizes.items()}
        if len(self.sizes) > limit("ACADEMY_BUNDLE_MAX_FILES"):
            self.problems.append(
                _("The bundle has %(n)d files; the limit is %(max)d.")
                % {"n": len(self.sizes), "max": limit("ACADEMY_BUNDLE_MAX_FILES")}
            )
        total = sum(self.sizes.values())
        if total > limit("ACADEMY_BUNDLE_MAX_TOTAL_BYTES"):
            self.problems.append(
                _("The bundle is too large (%(n)d bytes; the limit is %(max)d).")
                % {"n": total, "max": limit("ACADEMY_BUNDLE_MAX_TOTAL_BYTES")}
            )

    def _common_prefix(self) -> str:
        """Zips made by zipping a folder hold "<slug>/course.yaml": read inside that folder."""
        if MANIFEST in self.sizes:
            return ""
        tops = {PurePosixPath(n).parts[0] for n in self.sizes}
        if len(tops) == 1 and f"{next(iter(tops))}/{MANIFEST}" in self.sizes:
            return f"{next(iter(tops))}/"
        return ""

    def exists(self, name: str) -> bool:
        return name in self.sizes

    def read(self, name: str, *, max_bytes: int | None = None) -> bytes:
        """The file's bytes, read at most once per import and within the budgets.

        Refuses (BundleError) a file over the per-file limit (or `max_bytes`), a second read of
        the same file (one 2 MB file listed by 300 lessons would otherwise be held 300 times),
        a read past the import's total read budget, and a damaged zip entry.
        """
        size = self.sizes[name]
        cap = min(limit("ACADEMY_BUNDLE_MAX_FILE_BYTES"), max_bytes or size + 1)
        if size > cap:
            raise BundleError(
                [
                    _("%(name)s: file too large (%(n)d bytes; the limit is %(max)d)")
                    % {"name": name, "n": size, "max": cap}
                ]
            )
        if name in self._read:
            raise BundleError(
                [_("%s: the same file is used twice; each file may be used once") % name]
            )
        if self.bytes_read + size > limit("ACADEMY_BUNDLE_MAX_READ_BYTES"):
            raise BundleError(
                [
                    _("%(name)s: the import would read more than %(max)d bytes in all")
                    % {"name": name, "max": limit("ACADEMY_BUNDLE_MAX_READ_BYTES")}
                ]
            )
        self._read.add(name)
        data = self._read_bytes(name)
        self.bytes_read += len(data)
        return data

    def _read_bytes(self, name: str) -> bytes:
        if self._root is not None:
            path = (self._root / name).resolve()
            if not path.is_relative_to(self._root):
                raise BundleError([_("%s: unsafe path") % name])
            return path.read_bytes()
        try:
            return self._zip.read(self._prefix + name)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as e:
            # A CRC mismatch, truncated data, an unsupported compression or an encrypted entry.
            raise BundleError(
                [_("%(name)s: the zip file is damaged (%(error)s)") % {"name": name, "error": e}]
            ) from e
