"""Group commit: one writer thread per process stores the ratings its request threads
hand it, several in one transaction, and answers each only once that commit is durable.

With threaded workers (``gunicorn -k gthread``) many ratings wait for the disk at the same
moment; committing them together costs one WAL flush (SQLite's fsync, PostgreSQL's WAL
write) instead of one each. Each rating runs in its own savepoint: a rating that fails
(its nonce already used, its receipt spent) is rolled back alone and its request gets its
own error, the others are stored. If the commit itself fails, every rating of the batch
fails and no request is answered as stored: nothing acknowledged is lost. A killed process
takes its waiting requests with it, unanswered.

Off by default (``RATING_GROUP_COMMIT``): with sync workers a process holds one rating at
a time and there is nothing to group. ``RATING_GROUP_COMMIT_MAX`` bounds a batch;
``RATING_GROUP_COMMIT_WAIT_MS`` lets the writer wait that long for more ratings once it has
one (PostgreSQL's ``commit_delay``; 0 by default: the ratings that arrive while a commit is
flushing form the next batch).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from ..database import write_transactions
from ..extensions import db

log = logging.getLogger("portal.ratings.group_commit")


class CommitFailed(RuntimeError):
    """The batch's commit failed: this rating was not stored."""


@dataclass(eq=False)
class _Job:
    work: Callable[[], Any]
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


@dataclass
class Stats:
    ratings: int = 0
    commits: int = 0
    largest: int = 0


class GroupCommitter:
    """The writer of one process and application."""

    def __init__(self, app: Flask, *, max_batch: int, wait_seconds: float) -> None:
        self.app = app
        self.max_batch = max(1, max_batch)
        self.wait_seconds = max(0.0, wait_seconds)
        self.stats = Stats()
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="rating-writer", daemon=True)
        self._thread.start()

    def run(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` (it writes through ``db.session``) in the writer's next transaction
        and return its result once that transaction is committed; raise its error, or
        :class:`CommitFailed`."""
        job = _Job(work)
        self._queue.put(job)
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    def close(self) -> None:
        """Stop the writer once the ratings already handed to it are stored."""
        self._queue.put(None)  # type: ignore[arg-type]
        self._thread.join()

    def _batch(self) -> list[_Job] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        deadline = time.monotonic() + self.wait_seconds
        while len(batch) < self.max_batch:
            try:
                remaining = deadline - time.monotonic()
                if remaining > 0:
                    job = self._queue.get(timeout=remaining)
                else:
                    job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is None:  # closing: this batch is the last
                self._queue.put(None)  # type: ignore[arg-type]
                break
            batch.append(job)
        return batch

    def _loop(self) -> None:
        while (batch := self._batch()) is not None:
            try:
                self._commit(batch)
            except BaseException as exc:  # never leave a request waiting
                log.exception("rating batch failed")
                for job in batch:
                    if job.error is None:
                        job.result, job.error = None, CommitFailed(str(exc))
            finally:
                for job in batch:
                    job.done.set()

    def _commit(self, batch: list[_Job]) -> None:
        with self.app.app_context(), write_transactions():
            try:
                for job in batch:
                    savepoint = db.session.begin_nested()
                    try:
                        job.result = job.work()
                        savepoint.commit()
                    except Exception as exc:
                        savepoint.rollback()
                        job.error = exc
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()
        stored = sum(1 for job in batch if job.error is None)
        self.stats.ratings += stored
        self.stats.commits += 1
        self.stats.largest = max(self.stats.largest, len(batch))


_LOCK = threading.Lock()


def enabled() -> bool:
    return bool(current_app.config.get("RATING_GROUP_COMMIT"))


def close(app: Flask) -> None:
    """Stop this process's writer of ``app``, if it has one (tests, shutdown)."""
    writer = app.extensions.pop(("rating_group_commit", os.getpid()), None)
    if writer is not None:
        writer.close()


def committer() -> GroupCommitter:
    """This process's writer for the current application, started on first use (after a
    fork, a new one: a thread does not survive ``fork``)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = ("rating_group_commit", os.getpid())
    writer = app.extensions.get(key)
    if writer is None:
        with _LOCK:
            writer = app.extensions.get(key)
            if writer is None:
                writer = GroupCommitter(
                    app,
                    max_batch=int(app.config.get("RATING_GROUP_COMMIT_MAX", 64)),
                    wait_seconds=float(app.config.get("RATING_GROUP_COMMIT_WAIT_MS", 0)) / 1000,
                )
                app.extensions[key] = writer
    return writer
