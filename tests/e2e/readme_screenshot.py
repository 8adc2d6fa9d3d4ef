"""Refresh docs/screenshot.png: the 工作台 of the demo town at 1280x900, as the README shows it.

    .venv/bin/python -m tests.e2e.readme_screenshot

Not a test (pytest does not collect it): it loads the demo town into a throw-away SQLite file,
serves it with gunicorn on a loopback port, logs in as the city organization department and
saves the page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshot.png"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "TONGXIN_VAR_DIR": var, "TONGXIN_DEBUG": "1"}
        env.pop("DATABASE_URL", None)
        py = sys.executable
        run = dict(cwd=ROOT, env=env, check=True)
        subprocess.run([py, "manage.py", "migrate", "--noinput", "-v0"], **run)
        subprocess.run([py, "manage.py", "demo", "--scale", "town", "--seed", "1"], **run)
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(py).parent / "gunicorn"),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(50):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
                page.goto(f"{base}/accounts/login/")
                page.get_by_label("用户名").fill("zuzhibu")
                page.get_by_label("密码").fill("Tongxin2026")
                page.get_by_role("button", name="登录").click()
                page.get_by_test_id("org-total").wait_for()
                page.screenshot(path=OUT)  # the viewport only: a README picture, not a scroll
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print(f"{OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
