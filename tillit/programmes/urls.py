from django.urls import path

from tillit.programmes import views

app_name = "programmes"

P = "o/<slug:org>/programmes/"

urlpatterns = [
    path(P, views.programmes, name="list"),
    path(P + "start/", views.start, name="start"),
    path(P + "start/results-dialogue/", views.start_dialogue, name="start_dialogue"),
    path(P + "people/", views.people_search, name="people"),
    path(P + "methods/<slug:slug>/", views.template_guide, name="template"),
    path(P + "<int:pk>/", views.detail, name="detail"),
    path(P + "<int:pk>/finish/", views.finish, name="finish"),
    path(P + "<int:pk>/reopen/", views.reopen, name="reopen"),
    path(P + "<int:pk>/participants/", views.participants, name="participants"),
    path(
        P + "<int:pk>/participants/<int:participant_id>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
    path(P + "<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path(P + "<int:pk>/report.docx", views.report_docx, name="report_docx"),
    path(P + "<int:pk>/steps/<slug:step_id>/", views.step, name="step"),
    path(P + "<int:pk>/steps/<slug:step_id>/status/", views.step_status, name="step_status"),
    path(
        P + "<int:pk>/steps/<slug:step_id>/checklist/", views.step_checklist, name="step_checklist"
    ),
    path(P + "<int:pk>/steps/<slug:step_id>/sessions/", views.step_session, name="step_session"),
    path(
        P + "<int:pk>/steps/<slug:step_id>/add/<slug:kind>/",
        views.artefact_add,
        name="artefact_add",
    ),
    path(
        "o/<slug:org>/artefacts/<int:artefact_id>/edit/", views.artefact_edit, name="artefact_edit"
    ),
    path("o/<slug:org>/actions/", views.my_actions, name="my_actions"),
    path("o/<slug:org>/actions/<int:artefact_id>/", views.action, name="action"),
]
