"""PDF documents from HTML, through WeasyPrint: the one way Tillit makes a PDF."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document (its CSS in the document), laid out by WeasyPrint.

    Python's cyclic garbage collector is paused while WeasyPrint works and runs once after:
    WeasyPrint allocates hundreds of thousands of objects for a report, and each collector
    pass they trigger also walks every long-lived object of the process (Django's, a loaded
    snapshot's) – a third of a unit report's time in bench/results.py.
    """
    from weasyprint import HTML

    if not gc.isenabled():  # the caller paused it already and will resume it
        return HTML(string=html).write_pdf()
    gc.disable()
    try:
        return HTML(string=html).write_pdf()
    finally:
        gc.enable()
        gc.collect(0)  # the report's own reference cycles


def _lower_priority() -> None:
    os.nice(10)  # a batch of reports must not slow down the pages people are waiting for


def many_html_to_pdf(documents: Iterable[str], processes: int) -> Iterator[bytes]:
    """The PDFs of many HTML documents, in their order, laid out by `processes` worker
    processes at a lower CPU priority (one document takes ~0.4 s, all of it WeasyPrint's
    layout, so a ZIP of 5,000 unit reports took over half an hour in one process).

    The workers are fresh interpreters ("spawn": no copy of this process's database
    connections) that only lay out HTML; at most two documents per worker are waiting, so
    memory stays flat however long the batch.
    """
    if processes <= 1:
        for html in documents:
            yield html_to_pdf(html)
        return
    pool = ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("spawn"), initializer=_lower_priority
    )
    try:
        waiting = deque()
        for html in documents:
            waiting.append(pool.submit(html_to_pdf, html))
            if len(waiting) >= 2 * processes:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
