"""The one way to make a PDF: WeasyPrint with the cyclic collector paused, and resumed after;
many PDFs in worker processes, in order."""

import gc
import subprocess

import pytest

from tillit.core.pdf import html_to_pdf, many_html_to_pdf


def test_html_becomes_a_pdf_whose_text_reads_back_and_the_collector_runs_again():
    pdf = html_to_pdf("<!doctype html><html lang='sv'><title>t</title><p>Hej Tillit</p></html>")
    assert pdf.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    assert "Hej Tillit" in text.stdout.decode()
    assert gc.isenabled()


def test_a_failing_document_leaves_the_collector_running(monkeypatch):
    import weasyprint

    def broken(self, *args, **kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    try:
        html_to_pdf("<p>x</p>")
    except RuntimeError:
        pass
    else:
        raise AssertionError("the error must reach the caller")
    assert gc.isenabled()


def test_a_caller_that_paused_the_collector_keeps_it_paused():
    gc.disable()
    try:
        assert html_to_pdf("<p>x</p>").startswith(b"%PDF-")
        assert not gc.isenabled()
    finally:
        gc.enable()


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_many_documents_come_back_in_their_order_from_worker_processes():
    documents = [f"<!doctype html><title>t</title><p>Enhet {n}</p>" for n in range(7)]
    expected = [f"Enhet {n}" for n in range(7)]
    for processes in (2, 1):  # worker processes, and in this process
        pdfs = list(many_html_to_pdf(iter(documents), processes=processes))
        assert [_text(pdf).strip() for pdf in pdfs] == expected


def test_a_document_that_fails_in_a_worker_fails_the_batch():
    documents = iter(["<p>a</p>", None, "<p>c</p>"])  # None: WeasyPrint refuses it
    made = many_html_to_pdf(documents, processes=2)
    assert next(made).startswith(b"%PDF-")
    with pytest.raises(TypeError):
        next(made)
