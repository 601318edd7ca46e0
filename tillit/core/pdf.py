"""PDF documents from HTML, through WeasyPrint: the one way Tillit makes a PDF."""

from __future__ import annotations

import gc


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
