"""The load client of `make bench`: a separate process that drives the server over loopback.

It imports nothing of Ordrom or Django (it is the browser, not the site). Reads a JSON plan on
stdin, writes JSON results on stdout::

    {"host": "127.0.0.1", "port": 8123, "concurrency": 4, "warmup_seconds": 2,
     "seconds": 8, "max_requests": 5000, "reference_seconds": 4, "rounds": 4,
     "pages": [{"name": "home", "path": "/", "cookie": "sessionid=...",
                "reference": {"name": "bare", "path": "/bench/ok", "cookie": "sessionid=..."}}]}

A page with a ``reference`` (its bare view) is measured in ``rounds`` slices alternating with
that reference (``reference_seconds`` in all), whose median is ``reference_median_ms``.

Each page is measured alone: *concurrency* threads, each with its own keep-alive
connection, send GET requests back to back (a closed loop) for a warm-up, then for
*seconds* or *max_requests*, whichever comes first. Latency is the time from sending the
request to having read the whole body. Only 127.0.0.1 is allowed: this is a benchmark of
our own server, never a load generator for anyone else's.
"""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import threading
import time


def _percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


class _Worker(threading.Thread):
    def __init__(self, *, host, port, path, headers, stop_at, budget, lock):
        super().__init__(daemon=True)
        self.host, self.port, self.path, self.headers = host, port, path, headers
        self.stop_at, self.budget, self.lock = stop_at, budget, lock
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors = 0
        self.bytes = 0

    def _take(self) -> bool:
        with self.lock:
            if self.budget[0] <= 0:
                return False
            self.budget[0] -= 1
            return True

    def run(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        while time.perf_counter() < self.stop_at and self._take():
            started = time.perf_counter()
            try:
                conn.request("GET", self.path, headers=self.headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                continue
            self.latencies.append(time.perf_counter() - started)
            self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
            self.bytes += len(body)
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        conn.close()


def _run(plan: dict, page: dict, *, seconds: float, max_requests: int) -> dict:
    headers = {"Host": f"{plan['host']}:{plan['port']}", "Accept": "text/html"}
    if page.get("cookie"):
        headers["Cookie"] = page["cookie"]
    lock = threading.Lock()
    budget = [max_requests]
    started = time.perf_counter()
    workers = [
        _Worker(
            host=plan["host"],
            port=plan["port"],
            path=page["path"],
            headers=headers,
            stop_at=started + seconds,
            budget=budget,
            lock=lock,
        )
        for _ in range(plan["concurrency"])
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return _summary(page, workers, elapsed)


def _summary(page: dict, workers: list, elapsed: float) -> dict:
    latencies = sorted(value for worker in workers for value in worker.latencies)
    statuses: dict[int, int] = {}
    for worker in workers:
        for status, count in worker.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "name": page["name"],
        "path": page["path"],
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "median_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": sum(worker.errors for worker in workers),
        "bytes_per_response": (
            sum(worker.bytes for worker in workers) // len(latencies) if latencies else 0
        ),
        "_workers": workers,
    }


def _merged(page: dict, runs: list[dict]) -> dict:
    """One summary of several runs of the same page."""
    workers = [worker for run in runs for worker in run["_workers"]]
    return _summary(page, workers, sum(run["seconds"] for run in runs))


def _public(result: dict) -> dict:
    return {k: v for k, v in result.items() if not k.startswith("_")}


def _paired(plan: dict, page: dict, reference: dict) -> tuple[dict, dict]:
    """The page and its bare view in alternating slices (``rounds`` of each, the bare view
    first): on a shared machine the speed drifts by a third within a run, within seconds, and
    a reference measured even a minute away flattered or punished the ratio. Measured this
    way both see the same machine."""
    rounds = max(1, int(plan.get("rounds", 4)))
    budget = max(1, plan["max_requests"] // rounds)
    page_runs, reference_runs = [], []
    settle = min(0.25, plan["warmup_seconds"])  # not counted: each switch's first requests
    for _ in range(rounds):
        _run(plan, reference, seconds=settle, max_requests=budget)
        reference_runs.append(
            _run(plan, reference, seconds=plan["reference_seconds"] / rounds, max_requests=budget)
        )
        _run(plan, page, seconds=settle, max_requests=budget)
        page_runs.append(_run(plan, page, seconds=plan["seconds"] / rounds, max_requests=budget))
    return _merged(page, page_runs), _merged(reference, reference_runs)


def main() -> int:
    plan = json.load(sys.stdin)
    if plan["host"] != "127.0.0.1":
        print("the bench client only talks to 127.0.0.1", file=sys.stderr)
        return 2
    results = []
    for page in plan["pages"]:
        reference = page.get("reference")
        _run(plan, page, seconds=plan["warmup_seconds"], max_requests=plan["max_requests"])
        if reference:
            result, bare = _paired(plan, page, reference)
            result["reference_median_ms"] = bare["median_ms"]
            result["reference_requests"] = bare["requests"]
        else:
            result = _run(plan, page, seconds=plan["seconds"], max_requests=plan["max_requests"])
        print(
            f"  {page['name']:<14} {result['requests']:>6} requests, "
            f"median {result['median_ms']:.1f} ms"
            + (f" (its bare view, between: {result['reference_median_ms']:.1f} ms)"
               if reference else ""),
            file=sys.stderr,
            flush=True,
        )
        results.append(_public(result))
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
