"""Where a gunicorn worker spends its time under wrk load: a py-spy profile of one case.

    .venv/bin/python bench/spy.py [--case healthz|rating_get|rating_post] [--seconds 6]
                                  [--pg URL] [--top 40]

Starts the portal behind ``gunicorn -w 2`` on 127.0.0.1 (the database prepared as
``bench/run.py`` does), drives the case with wrk (8 connections) and samples one worker
with ``py-spy record --format raw`` (py-spy is a dev dependency; sampling another process
needs ptrace, which root has). Prints, for the busiest functions, the share of the
worker's samples spent inside them (inclusive) and in them alone (self), so each stage of
the request (Flask, each hook, the view, the database) shows with its weight.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402 - the benchmark's own set-up


def summarize(raw: str, top: int) -> str:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [
            f.split(" (", 1)[0] + " " + f.rsplit("/", 1)[-1].rstrip(")") for f in stack.split(";")
        ]
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    lines = [f"{total} samples; inclusive %, self %, function (file:line)"]
    for frame, n in inclusive.most_common(top):
        lines.append(f"{100 * n / total:6.1f} {100 * own[frame] / total:6.1f}  {frame}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--case", default="healthz", choices=("healthz", "rating_get", "rating_post")
    )
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--pg", default=None)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--raw", default=None, help="also write py-spy's raw stacks here")
    args = parser.parse_args()
    spy = str(Path(sys.executable).parent / "py-spy")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        db_url = args.pg or f"sqlite:///{tmp}/spy.sqlite3"
        targets = run.prepare(db_url, 200)
        port = run.free_port()
        proc = run.start_gunicorn("wsgi:app", port, 2, run.portal_env(db_url))
        try:
            run.wait_ready(port, "/healthz")
            if args.case == "healthz":
                method, lines, cycle = "GET", ["/healthz\t"], True
            elif args.case == "rating_get":
                method, lines, cycle = "GET", [f"/r/{t}\t" for t, _ in targets], True
            else:
                method, cycle = "POST", False
                lines = run.nonce_lines(targets, 4000 * (args.seconds + 3))
            kw = dict(tmp=tmp, cycle=cycle, threads=2, connections=8, servers=[])
            run.wrk(port, method, lines, name="warm", seconds=2, **kw)
            if not cycle:
                lines = run.nonce_lines(targets, 4000 * (args.seconds + 3))
            worker = run.worker_pids(proc.pid)[0]
            out = tmp / "spy.txt"
            load = threading.Thread(
                target=run.wrk,
                args=(port, method, lines),
                kwargs=dict(kw, name="load", seconds=args.seconds + 2),
            )
            load.start()
            subprocess.run(
                [
                    spy,
                    "record",
                    "--pid",
                    str(worker),
                    "--duration",
                    str(args.seconds),
                    "--rate",
                    "250",
                    "--format",
                    "raw",
                    "--nonblocking",
                    "--output",
                    str(out),
                ],
                check=True,
                capture_output=True,
            )
            load.join()
            raw = out.read_text()
            if args.raw:
                Path(args.raw).write_text(raw)
            print(f"case {args.case}, load average {run.loadavg()}")
            print(summarize(raw, args.top))
        finally:
            run.stop(proc)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    main()
