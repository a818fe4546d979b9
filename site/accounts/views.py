import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import AccountDeleteForm, LoginForm, NotificationEmailForm, SignupForm
from ordrom import roles


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    """The member's own page: email for notifications, and links to everything else."""
    if request.method == "POST":
        form = NotificationEmailForm(request.POST)
        if form.is_valid():
            services.account_email_set(user=request.user, email=form.cleaned_data["email"])
            if form.cleaned_data["email"]:
                messages.success(request, _("Your email for notifications was saved."))
            else:
                messages.success(request, _("Your email for notifications was removed."))
            return redirect("account")
    else:
        form = NotificationEmailForm(initial={"email": request.user.email})
    return render(
        request,
        "accounts/account.html",
        {"email_form": form, "is_staff_member": roles.is_staff(request.user)},
    )


@login_required
@require_http_methods(["GET"])
def account_export(request):
    data = services.account_export(user=request.user)
    data["exported_at"] = timezone.now().isoformat()
    filename = f"ordrom-{timezone.localdate():%Y-%m-%d}.json"
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    if request.method == "POST":
        form = AccountDeleteForm(request.POST, user=request.user)
        if form.is_valid():
            services.account_delete(user=request.user)
            logout(request)
            messages.success(request, _("Your account and everything you wrote have been deleted."))
            return redirect("/")
    else:
        form = AccountDeleteForm(user=request.user)
    return render(request, "accounts/delete.html", {"form": form})


ERROR_TOO_MANY_REQUESTS = _lazy(
    "You have tried many times in a short while. Wait a few minutes and try again."
)
# The entrance forms whose rate limits allauth checks before its view (a decorator), and the
# field whose text is kept when it says no.
_ENTRANCE_FORMS = {"account_signup": "username", "account_login": "login"}


def too_many_requests(request):
    """allauth's answer when one of its rate limits is reached (its ratelimit.respond_429
    calls ROOT_URLCONF's handler429).

    Its own is a bare English page. On the sign-up and login pages this shows the form
    again, with the pseudonym the person typed and the reason (passwords are never sent
    back); elsewhere the site's 429 page. Status 429 either way.
    """
    match = request.resolver_match
    field = _ENTRANCE_FORMS.get(match.url_name if match else "")
    if request.method != "POST" or field is None:
        return render(request, "429.html", {"message": ERROR_TOO_MANY_REQUESTS}, status=429)
    typed = request.POST.get(field, "")[:200]
    if field == "login":
        form = LoginForm(request=request, initial={"login": typed})
        template = "account/login.html"
    else:
        form = SignupForm(initial={"username": typed})
        template = "account/signup.html"
    # An unbound form with the pseudonym as its initial value, and the reason as its error.
    form._errors = ErrorDict({NON_FIELD_ERRORS: form.error_class([ERROR_TOO_MANY_REQUESTS])})
    return render(request, template, {"form": form}, status=429)
