import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import AccountDeleteForm, NotificationEmailForm
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
