"""The codebook page: a process owner renames, merges and adds the organisation's seeded themes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext, gettext_lazy

from tillit.org.access import org_view
from tillit.themes.actions import (
    codebook_for,
    do_add_theme,
    do_merge_themes,
    do_rename_theme,
    do_start_codebook,
)
from tillit.themes.models import CodebookTheme

LANGUAGE_NAMES = {
    "sv": gettext_lazy("Swedish"),
    "da": gettext_lazy("Danish"),
    "nb": gettext_lazy("Norwegian"),
    "en": gettext_lazy("English"),
}


class RenameForm(forms.Form):
    sv = forms.CharField(label=LANGUAGE_NAMES["sv"], max_length=80, required=False)
    da = forms.CharField(label=LANGUAGE_NAMES["da"], max_length=80, required=False)
    nb = forms.CharField(label=LANGUAGE_NAMES["nb"], max_length=80, required=False)
    en = forms.CharField(label=LANGUAGE_NAMES["en"], max_length=80, required=False)


class AddForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    words = forms.CharField(
        label=gettext_lazy("Cue words"),
        max_length=1000,
        help_text=gettext_lazy("Words that comments on this theme use, separated by spaces."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language of the words"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = list(LANGUAGE_NAMES.items())


@org_view(admin=True)
def codebook(request: HttpRequest) -> HttpResponse:
    """The codebook with a form per theme (rename, merge) and one to add a theme (POST)."""
    organisation = request.organisation
    language = get_language() or "sv"
    add_form = AddForm(initial={"language": language})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            add_form = AddForm(request.POST)
            if add_form.is_valid():
                data = add_form.cleaned_data
                do_add_theme(organisation, data["label"], data["words"], data["language"])
                messages.success(request, gettext("The theme was added."))
                return redirect("themes:codebook", organisation.slug)
        else:
            do_start_codebook(organisation)
            theme = get_object_or_404(
                CodebookTheme, organisation=organisation, key=request.POST.get("key", "")
            )
            if action == "rename":
                form = RenameForm(request.POST)
                if form.is_valid():
                    do_rename_theme(theme, form.cleaned_data)
                    messages.success(request, gettext("The theme was renamed."))
                    return redirect("themes:codebook", organisation.slug)
            elif action == "merge":
                target = get_object_or_404(
                    CodebookTheme, organisation=organisation, key=request.POST.get("into", "")
                )
                if target.pk != theme.pk:
                    do_merge_themes(theme, target)
                    messages.success(request, gettext("The themes were merged."))
                    return redirect("themes:codebook", organisation.slug)
    entries = [
        {
            "key": key,
            "label": entry["labels"].get(language) or entry["labels"].get("sv") or key,
            "labels": entry["labels"],
            "words": entry["terms"].get(language, ""),
        }
        for key, entry in codebook_for(organisation).items()
    ]
    context = {
        "entries": entries,
        "add_form": add_form,
        "own": CodebookTheme.objects.filter(organisation=organisation).exists(),
        "language_names": LANGUAGE_NAMES,
    }
    return render(request, "themes/codebook.html", context)
