"""Reading the library: search with filters, an example with its evidence, versions and
lineage, the booklet, and the library shared between organisations."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.text import slugify

from tillit.core.middleware import long_work
from tillit.examples import booklet, lineage, search
from tillit.examples.evidence import evidence_for
from tillit.examples.forms import BookletForm
from tillit.examples.models import AREAS, PRINCIPLES, ExampleVersion, GoodExample
from tillit.examples.rights import examples_view
from tillit.org.access import organisations_for
from tillit.org.models import Unit


def example_for(request: HttpRequest, pk: int) -> GoodExample:
    """An example the reader may read, or 404 (another tenant's unshared id is not found)."""
    example = get_object_or_404(GoodExample.objects.select_related("organisation"), pk=pk)
    if not request.rights.may_read(example):
        raise Http404
    return example


def _filters(request: HttpRequest) -> search.Filters:
    return search.Filters(
        area=request.GET.get("area", ""),
        principle=request.GET.get("principle", ""),
        unit_type=request.GET.get("unit_type", ""),
        evidence=request.GET.get("evidence") == "1",
    )


@examples_view()
def library(request: HttpRequest) -> HttpResponse:
    """The library: published examples (own and shared), searchable and filtered."""
    query = request.GET.get("q", "").strip()[:200]
    filters = _filters(request)
    found = search.first(request.organisation, query, filters)
    unit_types = (
        Unit.objects.filter(organisation=request.organisation)
        .exclude(unit_type="")
        .values_list("unit_type", flat=True)
        .distinct()
        .order_by("unit_type")
    )
    mine = GoodExample.objects.filter(organisation=request.organisation).exclude(
        status=GoodExample.Status.PUBLISHED
    )
    if not request.rights.curates:
        mine = mine.filter(author=request.user)
    context = {
        "examples": found,
        "query": query,
        "filters": filters,
        "areas": AREAS,
        "principles": PRINCIPLES,
        "unit_types": list(unit_types),
        "unpublished": mine.order_by("status", "-updated_at"),
    }
    template = "examples/_results.html" if request.htmx else "examples/library.html"
    return render(request, template, context)


@examples_view()
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One example: its texts, evidence, contacts (named with consent), adoptions, lineage."""
    example = example_for(request, pk)
    rights = request.rights
    own = example.organisation_id == request.organisation.pk
    nodes = lineage.lineage(example, rights.may_read)
    return render(
        request,
        "examples/detail.html",
        {
            "example": example,
            "own": own,
            "evidence": evidence_for(example),
            "contacts": example.contacts.select_related("unit"),
            "versions": example.versions.all(),
            "comments": example.comments.select_related("author")
            if rights.may_edit(example)
            else [],
            "adoptions": example.adoptions.filter(unit__organisation=request.organisation)
            .select_related("unit", "programme")
            .prefetch_related("follow_ups"),
            "nodes": nodes,
            "lineage_svg": lineage.svg(nodes) if len(nodes) > 1 else "",
            "like_this": search.like_this(example, request.organisation)
            if example.status == GoodExample.Status.PUBLISHED
            else [],
            "may_edit": rights.may_edit(example),
            "may_adopt": example.status == GoodExample.Status.PUBLISHED
            and rights.adoptable_units().exists(),
        },
    )


@examples_view()
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A published version as it was (contacts as they consent today)."""
    example = example_for(request, pk)
    kept = get_object_or_404(ExampleVersion, example=example, number=number)
    contacts = example.contacts.filter(pk__in=kept.data.get("contacts", [])).select_related("unit")
    return render(
        request,
        "examples/version.html",
        {"example": example, "kept": kept, "data": kept.data, "contacts": contacts},
    )


@examples_view()
def booklet_page(request: HttpRequest) -> HttpResponse:
    """Choose up to ten examples; download them as a booklet (PDF or DOCX)."""
    readable = search.readable(request.organisation).order_by("title", "pk")
    language = translation.get_language() or request.organisation.language
    form = BookletForm(
        request.POST or None,
        readable=readable,
        initial={"language": language[:2], "format": "pdf"},
    )
    if request.method == "POST" and form.is_valid():
        return _booklet(request, form)
    return render(request, "examples/booklet_form.html", {"form": form})


@long_work  # the form is a light page; laying out the booklet is long work
def _booklet(request: HttpRequest, form: BookletForm) -> HttpResponse:
    chosen = list(form.cleaned_data["examples"].prefetch_related("units"))
    language = form.cleaned_data["language"]
    name = f"{slugify(request.organisation.name)}-goda-exempel"
    if form.cleaned_data["format"] == "pdf":
        content = booklet.booklet_pdf(chosen, request.organisation, language)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    content = booklet.booklet_docx(chosen, request.organisation, language)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    return response


@examples_view()
def shared(request: HttpRequest) -> HttpResponse:
    """What other organisations share, and which of the reader's organisations each is from –
    a consultant working for several sees all their libraries' shared examples here."""
    found = (
        GoodExample.objects.filter(status=GoodExample.Status.PUBLISHED, shared=True)
        .exclude(organisation=request.organisation)
        .select_related("organisation")
        .order_by("organisation__name", "title")
    )
    return render(
        request,
        "examples/shared.html",
        {"examples": found, "my_organisations": organisations_for(request.user)},
    )
