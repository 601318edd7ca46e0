from django.urls import path

from tillit.workshop import screen_views, views

app_name = "workshop"

W = "w/<str:code>/"
F = "o/<slug:org>/workshops/<int:session_id>/"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join, name="join_code"),
    path(W, views.room, name="room"),
    path(W + "live/", views.room_live, name="room_live"),
    path(W + "events/", screen_views.room_events, name="room_events"),
    path(W + "post/", views.post, name="post"),
    path(W + "position/", views.position, name="position"),
    path(W + "vote/", views.vote, name="vote"),
    path(W + "name/", views.rename, name="rename"),
    path(W + "consent/<int:contribution_id>/", views.consent, name="consent"),
    path(W + "edit/<int:contribution_id>/", views.edit, name="edit"),
    path(
        "o/<slug:org>/programmes/<int:programme_id>/workshop/",
        views.programme_workshops,
        name="programme",
    ),
    path(
        "o/<slug:org>/programmes/<int:programme_id>/workshop/<slug:step_id>/start/",
        views.start,
        name="start",
    ),
    path(F, views.facilitate, name="facilitate"),
    path(F + "live/", views.facilitate_live, name="facilitate_live"),
    path(F + "screen/", screen_views.screen, name="screen"),
    path(F + "screen/live/", screen_views.screen_live, name="screen_live"),
    path(F + "screen/events/", screen_views.screen_events, name="screen_events"),
    path(F + "control/", views.control, name="control"),
    path(F + "themes/", views.theme_add, name="theme_add"),
    path(F + "themes/<int:theme_id>/rename/", views.theme_rename, name="theme_rename"),
    path(F + "themes/<int:theme_id>/artefact/", views.theme_artefact, name="theme_artefact"),
    path(F + "notes/<int:contribution_id>/hide/", views.hide, name="hide"),
    path(F + "notes/<int:contribution_id>/move/", views.move, name="move"),
    path(F + "notes/<int:contribution_id>/merge/", views.merge, name="merge"),
    path(F + "notes/<int:contribution_id>/edit/", views.contribution_edit, name="edit_note"),
]
