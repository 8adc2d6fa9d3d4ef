"""The demo plan's tree in memory: nodes (areas and organizations) numbered and given
treebeard's paths before they are written, the compounds' map coordinates, and the buildings
under each community and street."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4


def path_segment(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out.rjust(STEPLEN, "0")


@dataclass
class Node:
    """An area or organization planned in memory before it is written."""

    name: str
    fields: dict[str, Any]
    children: list[Node] = field(default_factory=list)
    id: int = 0
    path: str = ""
    members: int = 0  # organizations only: members registered directly here
    first_member_id: int = 0

    def add(self, child: Node) -> Node:
        self.children.append(child)
        return child


def assign_paths(roots: list[Node], first_id: int = 1) -> list[Node]:
    """Number the nodes depth-first with sorted siblings, as treebeard's sorted tree does."""
    ordered: list[Node] = []
    counter = itertools.count(first_id)

    def visit(nodes: list[Node], prefix: str) -> None:
        nodes.sort(key=lambda n: n.name)
        for i, node in enumerate(nodes, start=1):
            node.path = prefix + path_segment(i)
            node.id = next(counter)
            ordered.append(node)
            visit(node.children, node.path)

    visit(roots, "")
    return ordered


@dataclass
class Plan:
    scale: str
    seed: int
    today: dt.date
    areas: list[Node] = field(default_factory=list)
    orgs: list[Node] = field(default_factory=list)
    units: list[tuple] = field(default_factory=list)
    leadership: list[tuple] = field(default_factory=list)
    member_total: int = 0
    sector_counts: dict[str, int] = field(default_factory=dict)
    # for demo users
    anchors: dict[str, Node] = field(default_factory=dict)


# How far (in degrees) each level's place lies from its parent's, at most.
COORD_SPREAD = {"district": 0.25, "street": 0.06, "community": 0.015, "compound": 0.004}


def place_compounds(ordered_areas: list[Node]) -> None:
    """Coordinates for the compounds (小区), where residents pin problems on the report map:
    each level lies near its parent, from a hash of its path (not the seeded random stream,
    so nothing else in the plan changes). Only compounds keep them: a case placed by a map
    point goes to the nearest compound."""
    coords: dict[str, tuple[float, float]] = {}
    for node in ordered_areas:
        parent = coords.get(node.path[:-STEPLEN])
        if parent is None:  # the city
            coords[node.path] = (
                float(node.fields.get("latitude") or 29.868336),
                float(node.fields.get("longitude") or 121.543990),
            )
            continue
        spread = COORD_SPREAD.get(node.fields["level"])
        if spread is None:  # buildings
            continue
        h = hashlib.sha256(node.path.encode()).digest()
        dy = ((h[0] * 256 + h[1]) / 65535 - 0.5) * 2 * spread
        dx = ((h[2] * 256 + h[3]) / 65535 - 0.5) * 2 * spread
        coords[node.path] = (parent[0] + dy, parent[1] + dx)
        if node.fields["level"] == "compound":
            node.fields["latitude"] = f"{coords[node.path][0]:.6f}"
            node.fields["longitude"] = f"{coords[node.path][1]:.6f}"


def walk(node: Node) -> Iterator[Node]:
    for c in node.children:
        yield c
        yield from walk(c)


def buildings_index(ordered_areas: list[Node]) -> tuple[dict[int, list[int]], dict[int, str]]:
    """Buildings under each community and each street; the region code of each street."""
    by_area: dict[int, list[int]] = {}
    region: dict[int, str] = {}
    for a in ordered_areas:
        level = a.fields["level"]
        if level == "district":
            region[a.id] = str(a.fields["code"])
            for s in a.children:
                region[s.id] = str(a.fields["code"])
        if level in ("community", "street", "district"):
            by_area[a.id] = [d.id for d in walk(a) if d.fields["level"] == "building"]
    return by_area, region
