"""Every action code the code base writes to the audit log has a name in the catalogue
(auditing.actions), so the audit page never shows an internal code."""

from __future__ import annotations

import ast
from pathlib import Path

from django.utils import translation

import tongxin
from tongxin.auditing.actions import ACTION_LABELS, action_label
from tongxin.cases.services import TRANSITIONS
from tongxin.rosters.models import ImportKind
from tongxin.sharing.services import REVIEW_DECISIONS

ROOT = Path(tongxin.__file__).parent

# Codes built at run time: the f-string (as ast.unparse writes it) -> the codes it can produce. A new
# f-string action fails test_every_action_code_has_a_name until it is listed here (and its
# codes are named in the catalogue).
DYNAMIC = {
    "case.{action}": {f"case.{a}" for a in TRANSITIONS},
    "rosters.import_{job.kind}": {f"rosters.import_{k}" for k in ImportKind.values},
    "sharing.listing_{decision}": {f"sharing.listing_{d}" for d in REVIEW_DECISIONS},
    # the admin site's rows are named by action_label from the verb and the model
    "admin.{('change' if change else 'add')}.{label}": set(),
    "admin.delete.{obj._meta.label_lower}": set(),
    "admin.{('add' if adding else 'change')}.{obj._meta.label_lower}": set(),
}


def _text(node: ast.expr) -> str | None:
    """A constant string, or an f-string written back as its source-like template."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return ast.unparse(node)[2:-1]
    return None


def _codes(node: ast.expr) -> list[str]:
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    text = _text(node)
    return [text] if text is not None else []


def _wrapper_prefix(tree: ast.Module) -> str | None:
    """The prefix of a module's own _audit() wrapper (None when it defines none)."""
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef) and fn.name == "_audit":
            for call in ast.walk(fn):
                if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "audit":
                    action = next(k.value for k in call.keywords if k.arg == "action")
                    if isinstance(action, ast.JoinedStr):
                        return _text(action).split("{", 1)[0]
            return ""
    return None


def collect() -> set[str]:
    """Every action code passed to audit(), directly or through an _audit() wrapper (whose
    action argument is the second positional one, prefixed as the wrapper's own audit() call
    shows), whether the wrapper is defined in the module or imported from a sibling."""
    trees = {
        ".".join(path.relative_to(ROOT.parent).with_suffix("").parts): ast.parse(
            path.read_text(encoding="utf-8")
        )
        for path in ROOT.rglob("*.py")
    }
    prefixes = {name: _wrapper_prefix(tree) for name, tree in trees.items()}
    found: set[str] = set()
    for tree in trees.values():
        prefix = _wrapper_prefix(tree)
        if prefix is None:
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and any(a.name == "_audit" for a in node.names):
                    prefix = prefixes.get(node.module or "") or ""
        prefix = prefix or ""
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", "")
            if name == "audit":
                for k in call.keywords:
                    if k.arg == "action":
                        found.update(_codes(k.value))
            elif name == "_audit" and len(call.args) >= 2:
                found.update(prefix + c for c in _codes(call.args[1]))
    # the wrappers' own f-strings are not codes
    return {c for c in found if not c.endswith("{action}") or c == "case.{action}"}


def test_the_collector_finds_codes_of_every_kind():
    codes = collect()
    # a literal, a wrapper with a prefix, a wrapper without one, a conditional, an f-string
    for code in (
        "members.reveal_pii",
        "members.transfer_approve",
        "grids.create",
        "grids.instructor_set",
        "case.{action}",
    ):
        assert code in codes, code
    assert len(codes) > 100


def test_every_action_code_has_a_name():
    missing = []
    for code in collect():
        if "{" in code:
            assert code in DYNAMIC, f"list the codes {code!r} can produce in DYNAMIC"
            missing += [c for c in DYNAMIC[code] if c not in ACTION_LABELS]
        elif code not in ACTION_LABELS:
            missing.append(code)
    assert missing == [], f"name these actions in tongxin/auditing/actions.py: {missing}"


def test_names_are_chinese_and_the_admin_rows_name_verb_and_model():
    with translation.override("zh-hans"):
        assert action_label("case.dispatch") == "派遣事件"
        assert action_label("admin.change.orgs.organization") == "管理后台：修改党组织"
        assert action_label("admin.delete.accounts.roleassignment") == "管理后台：删除角色分配"
    # an unknown code is shown as it is rather than hidden
    assert action_label("unknown.thing") == "unknown.thing"
