from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tongxin.core import uploads
from tongxin.core.errors import ServiceError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


def test_store_keeps_the_file_under_a_random_name() -> None:
    stored = uploads.store(
        SimpleUploadedFile("会议照片.png", PNG), allowed=uploads.IMAGES, max_bytes=1024, folder="t"
    )
    assert stored.kind == "png" and stored.content_type == "image/png"
    assert "会议照片" not in stored.name and stored.name.endswith(".png")
    assert (Path(settings.UPLOAD_ROOT) / stored.name).read_bytes() == PNG
    assert stored.size == len(PNG) and stored.original_name == "会议照片.png"


def test_a_pdf_named_like_an_image_is_refused_when_only_images_are_allowed() -> None:
    with pytest.raises(ServiceError, match="只能上传图片"):
        uploads.store(
            SimpleUploadedFile("photo.jpg", PDF), allowed=uploads.IMAGES, max_bytes=1024, folder="t"
        )


def test_text_renamed_to_pdf_is_refused() -> None:
    with pytest.raises(ServiceError, match="不是可接受的格式"):
        uploads.check(
            SimpleUploadedFile("minutes.pdf", b"<html>hi</html>"),
            allowed=uploads.IMAGES_AND_PDF,
            max_bytes=1024,
        )


def test_too_large_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(ServiceError, match="超过1 MB"):
        uploads.store(
            SimpleUploadedFile("big.png", PNG + b"\x00" * (1024 * 1024)),
            allowed=uploads.IMAGES,
            max_bytes=1024 * 1024,
            folder="t",
        )
    root = Path(settings.UPLOAD_ROOT) / "t"
    assert not root.exists() or not any(root.iterdir())


def test_stored_files_are_readable_by_the_server_alone() -> None:
    f = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    stored = uploads.store(f, allowed=uploads.IMAGES, max_bytes=1024, folder="test")
    try:
        assert (Path(settings.UPLOAD_ROOT) / stored.name).stat().st_mode & 0o777 == 0o600
    finally:
        uploads.delete(stored.name)
