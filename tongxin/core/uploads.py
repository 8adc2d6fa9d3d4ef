"""Uploaded files (meeting attachments, case photos ...), checked by content, not by name, and
kept outside the static and media paths: ``settings.UPLOAD_ROOT`` under a random name. A module
serves a file only through its own view, after its scope check (DESIGN §3.5)."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from tongxin.core.errors import ServiceError

# kind -> (content type, extension, magic test)
KINDS: dict[str, tuple[str, str]] = {
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "gif": ("image/gif", "gif"),
    "webp": ("image/webp", "webp"),
    "pdf": ("application/pdf", "pdf"),
}
IMAGES = frozenset({"jpeg", "png", "gif", "webp"})
IMAGES_AND_PDF = IMAGES | {"pdf"}


def sniff(head: bytes) -> str | None:
    """The kind of a file from its first bytes, or None when it is none of KINDS."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


@dataclass(frozen=True)
class StoredFile:
    name: str  # relative to UPLOAD_ROOT, random
    kind: str
    content_type: str
    size: int
    sha256: str
    original_name: str


def _describe(allowed: frozenset[str] | set[str]) -> str:
    names = []
    if allowed & IMAGES:
        names.append(_("图片（JPG、PNG、GIF、WebP）"))
    if "pdf" in allowed:
        names.append("PDF")
    return _("、").join(names)


def check(f: UploadedFile, *, allowed: frozenset[str] | set[str], max_bytes: int) -> str:
    """The file's kind, or a ServiceError saying what is wrong with it. Reads only the head."""
    name = f.name or ""
    if f.size is not None and f.size > max_bytes:
        raise _too_big(name, max_bytes)
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    kind = sniff(head)
    if kind is None or kind not in allowed:
        raise ServiceError(
            _("文件“%(name)s”不是可接受的格式，只能上传%(kinds)s。")
            % {"name": name, "kinds": _describe(allowed)}
        )
    return kind


def store(
    f: UploadedFile, *, allowed: frozenset[str] | set[str], max_bytes: int, folder: str
) -> StoredFile:
    """Check and write the file under UPLOAD_ROOT/folder/<random>.<ext>. Callers delete the
    file again (``delete``) when the surrounding transaction fails."""
    kind = check(f, allowed=allowed, max_bytes=max_bytes)
    content_type, ext = KINDS[kind]
    written = write(
        f,
        folder=folder,
        ext=ext,
        max_bytes=max_bytes,
        too_big=lambda: _too_big(f.name or "", max_bytes),
    )
    return StoredFile(
        written.name, kind, content_type, written.size, written.sha256, (f.name or "")[:200]
    )


def _too_big(name: str, max_bytes: int) -> ServiceError:
    return ServiceError(
        _("文件“%(name)s”超过%(mb)s MB，请压缩后再上传。")
        % {"name": name, "mb": max_bytes // (1024 * 1024)}
    )


@dataclass(frozen=True)
class Written:
    name: str  # relative to UPLOAD_ROOT: folder/<random>.<ext>
    size: int
    sha256: str


def write(
    f: UploadedFile,
    *,
    folder: str,
    ext: str,
    max_bytes: int,
    too_big: Callable[[], ServiceError],
) -> Written:
    """Copy an upload under UPLOAD_ROOT/folder/<random>.<ext> chunk by chunk (never all in
    memory), readable by the server's user only, with its size and SHA-256. Past ``max_bytes``
    the part written is removed and ``too_big()`` raised."""
    rel = f"{folder}/{secrets.token_hex(16)}.{ext}"
    path = Path(settings.UPLOAD_ROOT) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with open_private(path) as out:
        for chunk in f.chunks():
            size += len(chunk)
            if size > max_bytes:
                out.close()
                path.unlink(missing_ok=True)
                raise too_big()
            digest.update(chunk)
            out.write(chunk)
    return Written(rel, size, digest.hexdigest())


def open_private(path: Path) -> BinaryIO:
    """A new file only its owner (the server) may read: photos of residents, signed minutes,
    rosters with ID numbers."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def delete(name: str) -> None:
    (Path(settings.UPLOAD_ROOT) / name).unlink(missing_ok=True)


def serve(name: str, content_type: str, record: str) -> FileResponse:
    """Stream a stored file; the caller has checked scope. The download name comes from the
    record (``case-12-photo-3``) and the checked content type, never from the name it was
    uploaded with (``evil.html``). Images open in the browser, anything else downloads; the
    browser may neither sniff another type nor run anything in it (CSP sandbox), and shared
    caches keep no copy."""
    kind = next((k for k, (ct, _ext) in KINDS.items() if ct == content_type), None)
    if kind is None:  # not a type we store: hand it over as bytes, never rendered
        content_type, filename = "application/octet-stream", f"{record}.bin"
    else:
        filename = f"{record}.{KINDS[kind][1]}"
    path = Path(settings.UPLOAD_ROOT) / name
    response = FileResponse(
        path.open("rb"),
        content_type=content_type,
        as_attachment=kind not in IMAGES,
        filename=filename,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
