"""Area outlines for the cockpit's map.

``load_geojson``: a deployment's boundary file (GeoJSON FeatureCollection of Polygons or
MultiPolygons, each feature naming its area by ``code`` (行政区划代码) or ``path``, else by
``name``). It lands whole or not at all: a file that is not GeoJSON, over 50 MB, or with a
region matching no area is refused with what is wrong.

``generate_demo``: the demo has no survey data, so each area with coordinates below it gets
a Voronoi cell around the centre of its compounds, nested inside its parent's cell (computed
here by clipping half-planes: a few hundred areas, no geometry library needed)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongxin.core.audit import audit
from tongxin.core.errors import ServiceError
from tongxin.geo.models import Area
from tongxin.insights.models import Boundary, BoundarySource

MAX_BYTES = 50 * 1024 * 1024
Point = tuple[float, float]
MAP_LEVELS = ("city", "district", "street", "community")


# ---- loading a file ------------------------------------------------------------------------
def _ring_ok(ring: Any) -> bool:
    return (
        isinstance(ring, list)
        and len(ring) >= 4
        and all(
            isinstance(p, list)
            and len(p) >= 2
            and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in p[:2])
            and -180 <= p[0] <= 180
            and -90 <= p[1] <= 90
            for p in ring
        )
    )


def _geometry_ok(geometry: Any) -> bool:
    if not isinstance(geometry, dict):
        return False
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return isinstance(coords, list) and bool(coords) and all(_ring_ok(r) for r in coords)
    if kind == "MultiPolygon":
        return (
            isinstance(coords, list)
            and bool(coords)
            and all(
                isinstance(poly, list) and bool(poly) and all(_ring_ok(r) for r in poly)
                for poly in coords
            )
        )
    return False


def parse_geojson(raw: bytes) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(properties, geometry) of every feature, or ServiceError saying what is wrong."""
    if len(raw) > MAX_BYTES:
        raise ServiceError(_("边界文件超过 50 MB，未导入。请按区县拆分后分别导入。"))
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ServiceError(_("文件不是 GeoJSON（无法按 UTF-8 JSON 读取），未导入。")) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ServiceError(_("文件不是 GeoJSON 要素集合（type 应为 FeatureCollection），未导入。"))
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ServiceError(_("GeoJSON 中没有要素（features 为空），未导入。"))
    out = []
    for i, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ServiceError(_("第 %(n)d 个要素不是 Feature，未导入。") % {"n": i})
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise ServiceError(_("第 %(n)d 个要素的 properties 不是对象，未导入。") % {"n": i})
        if not _geometry_ok(feature.get("geometry")):
            raise ServiceError(
                _("第 %(n)d 个要素的边界不是有效的 Polygon 或 MultiPolygon（经纬度），未导入。")
                % {"n": i}
            )
        out.append((props, feature["geometry"]))
    return out


def _match(features: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[tuple[Area, Any]]:
    codes = {str(p["code"]) for p, _g in features if p.get("code")}
    paths = {str(p["path"]) for p, _g in features if p.get("path")}
    names = {str(p["name"]) for p, _g in features if p.get("name")}
    areas = list(
        Area.objects.filter(code__in=codes)
        | Area.objects.filter(path__in=paths)
        | Area.objects.filter(name__in=names)
    )
    by_code = {a.code: a for a in areas if a.code}
    by_path = {a.path: a for a in areas}
    by_name: dict[str, list[Area]] = defaultdict(list)
    for a in areas:
        by_name[a.name].append(a)
    matched, missing = [], []
    for i, (props, geometry) in enumerate(features, start=1):
        area = by_code.get(str(props.get("code", ""))) or by_path.get(str(props.get("path", "")))
        if area is None and len(by_name.get(str(props.get("name", "")), [])) == 1:
            area = by_name[str(props["name"])][0]
        if area is None:
            label = props.get("name") or props.get("code") or props.get("path") or "?"
            missing.append(f"{i}（{label}）")
        else:
            matched.append((area, geometry))
    if missing:
        shown = "、".join(missing[:10]) + ("……" if len(missing) > 10 else "")
        raise ServiceError(
            _(
                "%(n)d 个区域对应不到系统中的区域（按 code、path 或唯一的 name 匹配）：%(list)s。未导入任何边界。"
            )
            % {"n": len(missing), "list": shown}
        )
    return matched


def load_geojson(path: Path) -> int:
    """Load a boundary file (management command; the installation acts). Returns how many."""
    try:
        size = path.stat().st_size
    except OSError:
        raise ServiceError(_("找不到边界文件：%(p)s。") % {"p": path}) from None
    if size > MAX_BYTES:
        raise ServiceError(_("边界文件超过 50 MB，未导入。请按区县拆分后分别导入。"))
    matched = _match(parse_geojson(path.read_bytes()))
    return _save(matched, BoundarySource.FILE)


@transaction.atomic
def _save(matched: Iterable[tuple[Area, Any]], source: str) -> int:
    n = 0
    for area, geometry in matched:
        Boundary.objects.update_or_create(
            area=area,
            defaults={"area_path": area.path, "geometry": geometry, "source": source},
        )
        n += 1
    audit(
        actor=None,
        action="insights.boundaries_load",
        object_type="boundary",
        installation_wide=True,
        diff={"source": source, "areas": n},
    )
    return n


# ---- demo: nested Voronoi cells ------------------------------------------------------------
def _clip(poly: list[Point], site: Point, other: Point) -> list[Point]:
    """The part of convex ``poly`` nearer to ``site`` than to ``other``."""
    mx, my = (site[0] + other[0]) / 2, (site[1] + other[1]) / 2
    nx, ny = other[0] - site[0], other[1] - site[1]

    def inside(p: Point) -> bool:
        return (p[0] - mx) * nx + (p[1] - my) * ny <= 0

    out: list[Point] = []
    for i, cur in enumerate(poly):
        prev = poly[i - 1]
        if inside(cur):
            if not inside(prev):
                out.append(_cross(prev, cur, mx, my, nx, ny))
            out.append(cur)
        elif inside(prev):
            out.append(_cross(prev, cur, mx, my, nx, ny))
    return out


def _cross(a: Point, b: Point, mx: float, my: float, nx: float, ny: float) -> Point:
    da = (a[0] - mx) * nx + (a[1] - my) * ny
    db = (b[0] - mx) * nx + (b[1] - my) * ny
    t = da / (da - db) if da != db else 0.0
    return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))


def voronoi_cells(sites: dict[str, Point], frame: list[Point]) -> dict[str, list[Point]]:
    """Each site's Voronoi cell inside the convex ``frame``."""
    cells = {}
    for key, site in sites.items():
        poly = list(frame)
        for other_key, other in sites.items():
            if other_key != key and other != site and poly:
                poly = _clip(poly, site, other)
        cells[key] = poly
    return cells


def generate_demo() -> int:
    """A cell for every area of the map levels that has compounds with coordinates."""
    points = list(
        Area.objects.filter(latitude__isnull=False, longitude__isnull=False).values_list(
            "path", "longitude", "latitude"
        )
    )
    if not points:
        return 0
    areas = {
        a.path: a for a in Area.objects.filter(level__in=MAP_LEVELS).only("id", "path", "level")
    }
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for path, lng, lat in points:
        for prefix in areas:
            if path.startswith(prefix):
                s = sums[prefix]
                s[0] += float(lng)
                s[1] += float(lat)
                s[2] += 1
    centre = {p: (s[0] / s[2], s[1] / s[2]) for p, s in sums.items()}
    xs = [float(lng) for _p, lng, _l in points]
    ys = [float(lat) for _p, _g, lat in points]
    pad_x, pad_y = (max(xs) - min(xs)) * 0.15 + 0.01, (max(ys) - min(ys)) * 0.15 + 0.01
    x0, x1, y0, y1 = min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y
    frame = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    cell: dict[str, list[Point]] = {}
    by_parent: dict[str, dict[str, Point]] = defaultdict(dict)
    for path in sorted(centre):
        by_parent[path[:-4]][path] = centre[path]
    todo = [""]
    while todo:
        parent = todo.pop()
        kids = by_parent.get(parent, {})
        outer = cell.get(parent, frame)
        for key, poly in voronoi_cells(kids, outer).items():
            if len(poly) >= 3:
                cell[key] = poly
                todo.append(key)
    matched = [
        (
            areas[p],
            {
                "type": "Polygon",
                "coordinates": [[[round(x, 6), round(y, 6)] for x, y in [*poly, poly[0]]]],
            },
        )
        for p, poly in cell.items()
    ]
    Boundary.objects.filter(source=BoundarySource.GENERATED).delete()
    return _save(matched, BoundarySource.GENERATED)
