"""The QR code printed on a 捐助证 (segno, an SVG data URI: no file, no network)."""

from __future__ import annotations

import segno


def data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))
