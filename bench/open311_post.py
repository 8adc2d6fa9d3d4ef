"""open311_post: Open311 ``POST requests`` sustained under gunicorn (2 workers, as `make run`
serves), driven from a second process by a small load tool (threads + http.client).

Baseline: a bare Django view in the same server (same middleware; it reads the form and
answers a small JSON without touching the database). Figures are seconds per 1,000 requests,
so smaller is better; the rate is 1000 / seconds. Target: ≥ 150 requests/s
(≤ 6.67 s per 1,000).

The server imports this module as its WSGI application: ``urlpatterns`` below adds the bare
view beside the project's URLs.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = {"town": 1000, "city": 2000}
THREADS = 8
RUNS = 3


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    body = [{"service_request_id": request.POST.get("service_code", ""), "token": None}]
    return HttpResponse(json.dumps(body), status=201, content_type="application/json")


_handler: Any = None


def __getattr__(name: str) -> Any:
    # The URLconf of the benchmark server, built on first use: the load tool imports this
    # module without Django settings.
    if name == "urlpatterns":
        return [path("bench/bare.json", bare), path("", include("config.urls"))]
    raise AttributeError(name)


def application(environ: dict[str, Any], start_response: Any) -> Any:
    """gunicorn bench.open311_post:application — the project plus the bare view."""
    global _handler
    if _handler is None:
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        _handler = get_wsgi_application()
        settings.ROOT_URLCONF = "bench.open311_post"
    return _handler(environ, start_response)


# ---------------------------------------------------------------- load tool (second process)


def load(port: int, url: str, body: str, n: int, threads: int) -> dict[str, Any]:
    """POST ``body`` n times over ``threads`` connections; returns seconds and status counts."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(n))

    def worker() -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            try:
                conn.request("POST", url, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = HTTPConnection("127.0.0.1", port, timeout=30)
            except OSError:
                status = 0
                conn.close()
                conn = HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    t0 = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {"seconds": time.perf_counter() - t0, "statuses": statuses}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _drive(port: int, url: str, body: str, n: int) -> float:
    out = subprocess.run(
        [sys.executable, "-m", "bench.open311_post", str(port), url, body, str(n), str(THREADS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    result = json.loads(out.stdout)
    ok = result["statuses"].get("201", 0)
    if ok != n:
        raise RuntimeError(f"{url}: only {ok} of {n} requests answered 201: {result['statuses']}")
    return float(result["seconds"])


def _setup() -> tuple[str, int]:
    """An api_key over a street with one compound; returns (raw key, compound id)."""
    from tongxin.cases.services import api_key_issue
    from tongxin.geo.models import Area, AreaLevel

    compound = Area.objects.filter(level=AreaLevel.COMPOUND).order_by("path").first()
    if compound is None:
        root = Area.add_root(name="基准市", level=AreaLevel.CITY)
        street = root.add_child(name="基准街道", level=AreaLevel.STREET)
        comm = street.add_child(name="基准社区", level=AreaLevel.COMMUNITY)
        compound = comm.add_child(name="基准小区", level=AreaLevel.COMPOUND)
    jurisdiction = Area.objects.get(path=compound.path[:4])
    _key, raw = api_key_issue(actor=None, name="压测", area=jurisdiction, per_minute=100_000)
    return raw, compound.pk


def run(ctx: Any) -> None:
    from django.db import connection

    from bench.util import report

    n = REQUESTS[ctx.scale]
    raw, area_id = _setup()
    connection.close()  # the server's workers open their own
    port = _free_port()
    env = dict(os.environ)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "bench.open311_post:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                HTTPConnection("127.0.0.1", port, timeout=1).request(
                    "GET", "/open311/v2/services.json"
                )
                break
            except OSError:
                time.sleep(0.2)
        body = urlencode(
            {
                "api_key": raw,
                "service_code": "sanitation",
                "address_id": area_id,
                "description": "北门垃圾桶满了没人清运，气味很大。",
                "attribute[priority]": "normal",
            }
        )
        # warm both paths (imports, connections, jieba is not used on POST)
        _drive(port, "/open311/v2/requests.json", body, 50)
        _drive(port, "/bench/bare.json", body, 50)
        times: dict[str, list[float]] = {"ours": [], "baseline": []}
        for _ in range(RUNS):
            times["baseline"].append(_drive(port, "/bench/bare.json", body, n))
            times["ours"].append(_drive(port, "/open311/v2/requests.json", body, n))
    finally:
        server.terminate()
        server.wait(timeout=20)
    from statistics import median

    ours = median(times["ours"]) * 1000 / n
    base = median(times["baseline"]) * 1000 / n
    report(
        ctx,
        "open311_post",
        n=n,
        ours=ours,
        baseline=base,
        unit="s per 1000 requests",
        target=("ours", 1000 / 150),
        runs=RUNS,
        ours_rps=round(1000 / ours, 1),
        baseline_rps=round(1000 / base, 1),
        threads=THREADS,
        workers=2,
    )


if __name__ == "__main__":
    port_, url_, body_, n_, threads_ = sys.argv[1:6]
    out_ = load(int(port_), url_, body_, int(n_), int(threads_))
    print(
        json.dumps(
            {
                "seconds": out_["seconds"],
                "statuses": {str(k): v for k, v in out_["statuses"].items()},
            }
        )
    )
