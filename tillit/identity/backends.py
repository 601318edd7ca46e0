"""Single sign-on as an authentication backend beside core's e-mail backend."""

from django.contrib.auth.backends import ModelBackend

from tillit.identity import actions


class SingleSignOnBackend(ModelBackend):
    """Authenticates the attributes an organisation's identity provider vouched for."""

    def authenticate(self, request, sso_config=None, sso_attributes=None, **kwargs):
        if sso_config is None or sso_attributes is None:
            return None
        return actions.do_sso_login(sso_config, sso_attributes)
