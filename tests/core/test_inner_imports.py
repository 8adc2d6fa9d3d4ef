"""No tongxin import inside a function without a one-line comment saying why (issue 11).

A function-level import of tongxin code is either hoisted to module level (import-linter keeps the
layering) or has a real reason (AppConfig.ready, an optional app, a rare heavy path, a child
process) written in a comment on the line right above it, or above the first of a run of
consecutive imports."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "tongxin"

BODY_FIELDS = ("body", "orelse", "finalbody")


def _is_tongxin(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "tongxin"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "tongxin" for alias in node.names)
    return False


def _bodies(node: ast.AST) -> list[list[ast.stmt]]:
    bodies = [
        getattr(node, field)
        for field in BODY_FIELDS
        if isinstance(getattr(node, field, None), list)
    ]
    if isinstance(node, ast.Try | ast.TryStar):
        bodies += [handler.body for handler in node.handlers]
    if isinstance(node, ast.Match):
        bodies += [case.body for case in node.cases]
    return bodies


def _uncommented(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    problems: list[str] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        inside = in_function or isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
        )
        for body in _bodies(node):
            run_start: ast.stmt | None = None
            for stmt in body:
                if isinstance(stmt, ast.Import | ast.ImportFrom):
                    if run_start is None:
                        run_start = stmt
                    if inside and _is_tongxin(stmt):
                        above = lines[run_start.lineno - 2].strip() if run_start.lineno > 1 else ""
                        if not above.startswith("#"):
                            problems.append(f"{path.relative_to(ROOT.parent)}:{stmt.lineno}")
                else:
                    run_start = None
                visit(stmt, inside)

    visit(ast.parse(source, filename=str(path)), False)
    return problems


def test_every_inner_tongxin_import_says_why():
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        problems += _uncommented(path)
    assert not problems, (
        "A tongxin import inside a function: hoist it to module level, or put a one-line "
        "comment right above it (or above the first of its run of imports) saying the real "
        "reason:\n" + "\n".join(problems)
    )
