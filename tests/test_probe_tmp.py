import pytest
from tests.conftest import logged_in_client
from django.test import Client

URLS = ["/", "/accounts/", "/accounts/export/", "/accounts/delete/", "/admin/", "/admin/pages/", "/admin/settings/pages/sitesettings/", "/admin/users/", "/admin/login/"]

@pytest.mark.django_db
def test_probe(member, supervisor, moderator, coordinator, editor, staff_without_2fa):
    for name, user in [("anon", None), ("member", member), ("supervisor", supervisor), ("coordinator", coordinator), ("editor", editor), ("no2fa", staff_without_2fa)]:
        c = Client() if user is None else logged_in_client(user)
        for url in URLS:
            r = c.get(url)
            print(name, url, r.status_code, r.headers.get("Location"))
    c = logged_in_client(member)
    r = c.get("/admin/", follow=True)
    print(r.redirect_chain)
