from django.urls import path

from tillit.org.views import home, imports, people, roles, setup, tree

app_name = "org"

urlpatterns = [
    path("o/<slug:org>/", home.overview, name="overview"),
    path("o/<slug:org>/units/", tree.tree, name="tree"),
    path("o/<slug:org>/units/<int:unit_id>/", tree.unit_detail, name="unit"),
    path("o/<slug:org>/units/<int:unit_id>/edit/", tree.unit_edit, name="unit_edit"),
    path("o/<slug:org>/units/<int:unit_id>/add/", tree.unit_add, name="unit_add"),
    path("o/<slug:org>/units/<int:unit_id>/close/", tree.unit_close, name="unit_close"),
    path("o/<slug:org>/units/<int:unit_id>/reopen/", tree.unit_reopen, name="unit_reopen"),
    path("o/<slug:org>/people/", people.people, name="people"),
    path("o/<slug:org>/people/<int:person_id>/", people.person_edit, name="person_edit"),
    path("o/<slug:org>/people/<int:person_id>/invite/", people.person_invite, name="person_invite"),
    path("o/<slug:org>/roles/", roles.roles, name="roles"),
    path("o/<slug:org>/roles/<int:grant_id>/revoke/", roles.role_revoke, name="role_revoke"),
    path("o/<slug:org>/import/", imports.upload, name="import"),
    path("o/<slug:org>/import/<int:job_id>/", imports.status, name="import_status"),
    path("o/<slug:org>/import/<int:job_id>/columns/", imports.columns, name="import_columns"),
    path("o/<slug:org>/import/<int:job_id>/apply/", imports.apply, name="import_apply"),
    path("o/<slug:org>/settings/", setup.organisation_settings, name="settings"),
    path("o/<slug:org>/settings/logo/", setup.logo, name="logo"),
    path("operator/", setup.operator_home, name="operator"),
    path("operator/<slug:org>/", setup.operator_organisation, name="operator_org"),
]
