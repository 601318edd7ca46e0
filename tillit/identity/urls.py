from django.urls import path, re_path

from tillit.identity.views import manage, scim, sso

app_name = "identity"

urlpatterns = [
    path("sso/", sso.start, name="start"),
    path("sso/<slug:org>/login/", sso.begin, name="login"),
    path("sso/<slug:org>/oidc/callback/", sso.oidc_callback, name="oidc_callback"),
    path("sso/<slug:org>/saml/acs/", sso.saml_acs, name="saml_acs"),
    path("sso/<slug:org>/saml/metadata/", sso.saml_metadata, name="saml_metadata"),
    path("o/<slug:org>/sso/", manage.sso_settings, name="sso_settings"),
    path("o/<slug:org>/tokens/", manage.tokens, name="tokens"),
    path("o/<slug:org>/tokens/<int:token_id>/revoke/", manage.token_revoke, name="token_revoke"),
    path("scim/v2/ServiceProviderConfig", scim.service_provider_config, name="scim_config"),
    path("scim/v2/Schemas", scim.schemas, name="scim_schemas"),
    path("scim/v2/ResourceTypes", scim.resource_types, name="scim_resource_types"),
    path("scim/v2/Users", scim.users, name="scim_users"),
    path("scim/v2/Users/<str:person_id>", scim.user, name="scim_user"),
    re_path(r"^scim/", scim.not_found),
]
