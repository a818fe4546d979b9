from django.urls import path
from django.views.generic import RedirectView

from accounts import views

urlpatterns = [
    path("", views.account, name="account"),
    path("export/", views.account_export, name="account_export"),
    path("delete/", views.account_delete, name="account_delete"),
    # The notification address is managed on the account page, not in allauth's email list.
    path("email/", RedirectView.as_view(pattern_name="account"), name="account_email"),
]
