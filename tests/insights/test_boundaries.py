"""Area outlines: a deployment's GeoJSON file lands whole or not at all (bad files refused
saying what is wrong); the demo's cells are generated around its compounds."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.helpers import is_chinese
from tongxin.core.errors import ServiceError
from tongxin.geo.models import Area
from tongxin.insights import boundaries
from tongxin.insights.models import Boundary

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[121.5, 29.8], [121.6, 29.8], [121.6, 29.9], [121.5, 29.9], [121.5, 29.8]]],
}


def _file(tmp_path: Path, data: object, name: str = "b.geojson") -> Path:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return p


def _collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def _feature(props: dict, geometry: dict | None = None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry or SQUARE}


def _refused(path: Path) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("load_boundaries", str(path), stdout=StringIO())
    assert not Boundary.objects.exists()
    message = str(exc.value)
    assert is_chinese(message)
    return message


def test_a_good_file_loads_by_code_path_or_name(world, tmp_path):
    street = world["street_a_area"]
    Area.objects.filter(pk=street.pk).update(code="330203001")
    out = StringIO()
    call_command(
        "load_boundaries",
        str(
            _file(
                tmp_path,
                _collection(
                    _feature({"code": "330203001"}),
                    _feature({"name": "鼓楼街道"}),
                    _feature({"path": world["comm_a"].path}),
                ),
            )
        ),
        stdout=out,
    )
    assert "3" in out.getvalue()
    assert set(Boundary.objects.values_list("area_id", flat=True)) == {
        street.pk,
        world["street_b_area"].pk,
        world["comm_a"].pk,
    }


def test_a_file_that_is_not_json_is_refused(world, tmp_path):
    assert "不是 GeoJSON" in _refused(_file(tmp_path, "<kml>not json</kml>"))


def test_json_that_is_not_a_feature_collection_is_refused(world, tmp_path):
    assert "FeatureCollection" in _refused(_file(tmp_path, {"type": "Polygon"}))
    assert "Polygon" in _refused(
        _file(
            tmp_path,
            _collection(
                _feature({"name": "鼓楼街道"}, {"type": "Point", "coordinates": [121.5, 29.8]})
            ),
        )
    )


def test_regions_matching_no_area_are_refused_and_nothing_loads(world, tmp_path):
    message = _refused(
        _file(tmp_path, _collection(_feature({"name": "鼓楼街道"}), _feature({"name": "火星"})))
    )
    assert "火星" in message and "对应不到" in message


def test_a_file_over_50_mb_is_refused(world, tmp_path):
    big = tmp_path / "big.geojson"
    with big.open("wb") as f:
        f.truncate(boundaries.MAX_BYTES + 1)
    assert "50 MB" in _refused(big)
    with pytest.raises(ServiceError):
        boundaries.parse_geojson(b" " * (boundaries.MAX_BYTES + 1))


def test_voronoi_cells_split_the_frame_between_the_sites():
    frame = [(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (0.0, 1.0)]
    cells = boundaries.voronoi_cells({"a": (0.5, 0.5), "b": (1.5, 0.5)}, frame)
    assert max(x for x, _y in cells["a"]) == pytest.approx(1.0)
    assert min(x for x, _y in cells["b"]) == pytest.approx(1.0)


def test_the_demo_outlines_nest_inside_their_parents(world):
    Area.objects.filter(pk=world["compound_a"].pk).update(latitude=29.87, longitude=121.55)
    n = boundaries.generate_demo()
    assert n == 4  # city, district, street A, community A: the areas above a located compound
    assert Boundary.objects.get(area=world["comm_a"]).geometry["type"] == "Polygon"
