"""A demo town made by an earlier commit migrates forward and serves the same pages.

    .venv/bin/python scripts/forward_check.py OLD_COMMIT [--pg postgres://postgres@127.0.0.1:5432/db]

1. A temporary worktree at OLD_COMMIT runs `migrate` and `demo --scale town --seed 1` on a
   SQLite file (or, with --pg, on that PostgreSQL database, dropped and recreated first).
2. The old code takes a snapshot: the row count of every table, and for each demo user the
   status of their home page and of every same-site link on it (GET, redirects followed).
3. The current code migrates the same database and takes the same snapshot.
4. Every table of the old snapshot must hold the same number of rows (Django's content types
   and permissions may gain rows for new models), and every page the old code served with 200
   must be served with 200 (redirects followed: moved pages redirect).

Exit status 0 when both hold; the differences are printed otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
USERS = ["zuzhibu", "jiedao", "zhibu", "wangge", "dangyuan", "bumen", "jumin", "linju"]
HREF = re.compile(r'href="(/[^"#]*)"')
# Written by the old snapshot's own logins, or by migrating: not the demo's data.
LOGIN_TABLES = {"django_migrations", "django_session", "axes_accesslog"}
# Django's registry of models and their permissions: new models add rows, none may be lost.
REGISTRY_TABLES = {"django_content_type", "auth_permission"}
SKIP = ("/static/", "/accounts/logout", "/i18n/", "/admin/", "/api/")


def snapshot(also: dict[str, list[str]]) -> dict:
    """Run inside a Django process of either code: counts and page statuses. `also` names
    links to request for a user beside those on their home page (the old code's links)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    with connection.cursor() as cur:
        tables = connection.introspection.table_names(cur)
        counts = {}
        for table in sorted(tables):
            cur.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cur.fetchone()[0]
    pages: dict[str, int] = {}
    users = get_user_model().objects
    for username in USERS:
        user = users.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        home = client.get("/", follow=True)
        pages[f"{username} /"] = home.status_code
        links = set(HREF.findall(home.content.decode("utf-8", "replace")))
        links = sorted(links | set(also.get(username, [])))
        for link in links:
            path = urlsplit(link).path
            if path == "/" or path.startswith(SKIP):
                continue
            pages[f"{username} {link}"] = client.get(link, follow=True).status_code
    return {"counts": counts, "pages": pages}


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old_commit")
    parser.add_argument("--pg", help="a PostgreSQL URL whose database is dropped and recreated")
    args = parser.parse_args()

    python = str(ROOT / ".venv" / "bin" / "python")
    tmp = Path(tempfile.mkdtemp(prefix="forward-check-"))
    old_tree = tmp / "old"
    run(
        ["git", "worktree", "add", "--detach", str(old_tree), args.old_commit],
        ROOT,
        dict(os.environ),
    )
    try:
        env = dict(os.environ, TONGXIN_DEV_KEYS="1", TONGXIN_DEBUG="0", TONGXIN_STATIC_MANIFEST="0")
        env["DJANGO_SETTINGS_MODULE"] = "config.settings"
        env.pop("DATABASE_URL", None)
        if args.pg:
            import psycopg

            url = urlsplit(args.pg)
            name = url.path.lstrip("/")
            with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                c.execute(f'CREATE DATABASE "{name}"')
            env["DATABASE_URL"] = args.pg
        else:
            env["TONGXIN_SQLITE_PATH"] = str(tmp / "town.sqlite3")
        for step in (["migrate", "--noinput", "-v0"], ["demo", "--scale", "town", "--seed", "1"]):
            run([python, "manage.py", *step], old_tree, env)
        me = [python, str(Path(__file__).resolve()), "--snapshot"]
        none = tmp / "none.json"
        none.write_text("{}")
        before = json.loads(run([*me, str(none)], old_tree, dict(env, PYTHONPATH=str(old_tree))))
        old_links: dict[str, list[str]] = {}
        for page in before["pages"]:
            username, link = page.split(" ", 1)
            old_links.setdefault(username, []).append(link)
        links_file = tmp / "links.json"
        links_file.write_text(json.dumps(old_links))
        run([python, "manage.py", "migrate", "--noinput", "-v0"], ROOT, env)
        after = json.loads(run([*me, str(links_file)], ROOT, dict(env, PYTHONPATH=str(ROOT))))
    finally:
        run(["git", "worktree", "remove", "--force", str(old_tree)], ROOT, dict(os.environ))
        shutil.rmtree(tmp, ignore_errors=True)

    problems = []
    for table, n in before["counts"].items():
        if table in LOGIN_TABLES:
            continue
        if table in REGISTRY_TABLES and after["counts"].get(table, 0) >= n:
            continue
        if after["counts"].get(table) != n:
            problems.append(f"table {table}: {n} rows before, {after['counts'].get(table)} after")
    for page, status in before["pages"].items():
        if status == 200 and after["pages"].get(page) != 200:
            problems.append(f"page {page}: 200 before, {after['pages'].get(page)} after")
    served = sum(1 for s in before["pages"].values() if s == 200)
    print(
        f"{len(before['counts'])} tables, {sum(before['counts'].values())} rows; "
        f"{served} pages served with 200 before, as {len(USERS)} demo users"
    )
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print("the database migrated forward with every row, and serves every page it served before")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--snapshot"]:
        print(json.dumps(snapshot(json.loads(Path(sys.argv[2]).read_text()))))
    else:
        main()
