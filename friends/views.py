"""The members' side of the friend service, at /friends/.

Every state change goes through friends.services; a refusal there is shown in the form with
what the member typed still in it. Anything a member may not see (a profile across the age
line, a blocked member's profile, someone else's conversation) is a plain 404, so a URL
tells nothing about what exists.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from friends import cards, selectors, services
from friends.forms import (
    BrowseForm,
    MessageForm,
    ProfileForm,
    ReportForm,
    RequestForm,
    unfiltered_filters_html,
)
from friends.models import ContactRequest, Conversation, Message, Profile
from ordrom import crisis
from ordrom.roles import member_required
from pages import lookups

MESSAGE_PROFILE_SENT = gettext_lazy(
    "Thank you. Your profile is waiting for a moderator, who reads it before others can see "
    "it. You will get a notification when it has been looked at."
)
MESSAGE_RENEWED = gettext_lazy("Your profile is shown for another 60 days.")
MESSAGE_PAUSED = gettext_lazy("Your profile is paused: nobody can find it until you resume it.")
MESSAGE_RESUMED = gettext_lazy("Your profile can be found again.")
MESSAGE_DELETED = gettext_lazy("Your profile was deleted.")
MESSAGE_REQUEST_SENT = gettext_lazy(
    "Your request was sent. You will get a notification if it is accepted."
)
MESSAGE_ACCEPTED = gettext_lazy("You accepted the request. You can write to each other now.")
MESSAGE_DECLINED = gettext_lazy("You said no thank you. The sender only sees “not accepted”.")
MESSAGE_WITHDRAWN = gettext_lazy("You withdrew the request.")
MESSAGE_SENT = gettext_lazy("Your letter was sent.")
MESSAGE_HELD_CONTACT = gettext_lazy(
    "Your letter looks like it contains contact details (a phone number, an email or web "
    "address, or a social media name), so it waits for a moderator before it is delivered. "
    "Meeting outside Ordrom is your choice, but we do not pass on contact details."
)
MESSAGE_HELD_CRISIS = gettext_lazy(
    "Your letter waits for a moderator, who reads it first. We have read that things may be "
    "very hard for you right now."
)
MESSAGE_BLOCKED = gettext_lazy(
    "You blocked this member. They cannot see your profile or write to you any more, and "
    "they are not told."
)
MESSAGE_REPORTED = gettext_lazy("Thank you for telling us. A moderator will look at it.")
MESSAGE_REQUEST_HELD_CRISIS = gettext_lazy(
    "Your request waits for a moderator, who reads it first and then passes it on. We have "
    "read that things may be very hard for you right now."
)
MESSAGE_UNBLOCKED = gettext_lazy(
    "You unblocked %(name)s. You can see each other's profiles again, and they are not told."
)

CRISIS_SESSION_KEY = "friends:show-crisis-help"


def _now():
    return timezone.now()


def _refused(form, error) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You cannot do this."))
    else:
        form.add_error(None, error)


def _suspended_until(request) -> str | None:
    standing = selectors.standing_of(request.user)
    if standing is None or not standing.is_suspended(_now()):
        return None
    return formats.date_format(timezone.localtime(standing.suspended_until), "j. F Y H:i")


def _nav(request) -> dict:
    """The friend service's own menu, with what waits for the member."""
    incoming, unread = selectors.menu_counts(member=request.user)
    return {"incoming_count": incoming, "unread_count": unread}


def _own_profile(request) -> Profile | None:
    profile = selectors.profile_of(request.user)
    if profile is None or profile.status == Profile.Status.DELETED:
        return None
    return profile


def _viewable_profile_or_404(request, profile_id: int) -> tuple[Profile, Profile]:
    own = _own_profile(request)
    if own is None:
        raise Http404
    try:
        profile = selectors.profile_for_viewer(
            profile_id=profile_id, viewer=request.user, viewer_band=own.age_band, now=_now()
        )
    except Profile.DoesNotExist:
        raise Http404 from None
    return own, profile


# --- Browse ------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def index(request):
    """Browse for members with a profile; for everyone else, what the service is."""
    own = _own_profile(request) if request.user.is_authenticated else None
    if own is None:
        return render(request, "friends/intro.html", {"suspended_until": None})
    version = selectors.browse_version()
    interests = selectors.interests_in_order(version=version)
    if request.GET.keys() - {"page"}:
        form = BrowseForm(request.GET, viewer_band=own.age_band, interests=interests)
        filters, filters_html = form.filters(), form.rendered()
    else:  # nothing chosen: the filters' HTML is the same for everyone in the age group
        filters = selectors.BrowseFilters()
        filters_html = unfiltered_filters_html(viewer_band=own.age_band, interests=interests)
    paginator = selectors.browse(
        viewer=request.user, viewer_band=own.age_band, now=_now(), filters=filters,
        version=version,
    )
    page = paginator.get_page(request.GET.get("page"))
    profiles = selectors.page_profiles(page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "friends/browse.html",
        {
            "own": own,
            "own_listed": own.is_listed(_now()),
            "filters": filters_html,
            "page_obj": page,
            "cards": cards.cards_html(
                cards.profile_cards(
                    profiles,
                    interest_ids=selectors.interest_ids_of(profile_ids=[p.pk for p in profiles]),
                    interests=interests,
                    link=True,
                    short=True,
                )
            ),
            "extra_query": query.urlencode() + "&" if query else "",
            **_nav(request),
        },
    )


# --- My profile --------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET"])
def my_profile(request):
    own = _own_profile(request)
    if own is None:
        return redirect("friends:profile_edit")
    now = _now()
    return render(
        request,
        "friends/my_profile.html",
        {
            "own": own,
            "card": cards.profile_card(own),
            "listed": own.is_listed(now),
            "expired": own.is_expired(now),
            "suspended_until": _suspended_until(request),
            **_nav(request),
        },
    )


@member_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    """Create a profile, or change it (which sends it to a moderator again)."""
    own = _own_profile(request)
    editing = own is not None
    if request.method == "POST":
        form = ProfileForm(request.POST, editing=editing)
        if form.is_valid():
            data = form.cleaned_data
            arguments = {
                "region": data["region"],
                "gender": data["gender"],
                "interests": data["interests"],
                "about": data["about"],
                "now": _now(),
            }
            try:
                if editing:
                    services.profile_update(profile=own, by=request.user, **arguments)
                else:
                    services.profile_create(
                        member=request.user, age_band=data["age_band"], **arguments
                    )
            except (ValidationError, PermissionDenied) as error:
                _refused(form, error)
            else:
                messages.info(request, MESSAGE_PROFILE_SENT)
                return redirect("friends:my_profile")
    elif editing:
        form = ProfileForm(
            editing=True,
            initial={
                "region": own.region,
                "gender": own.gender,
                "interests": list(own.interests.all()),
                "about": own.about,
            },
        )
    else:
        form = ProfileForm()
    return render(
        request,
        "friends/profile_form.html",
        {"form": form, "own": own, "suspended_until": _suspended_until(request)},
    )


def _profile_step(request, service, message):
    own = _own_profile(request)
    if own is None:
        raise Http404
    try:
        service(profile=own, by=request.user, now=_now())
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, message)
    return redirect("friends:my_profile")


@member_required
@require_POST
def profile_renew(request):
    return _profile_step(request, services.profile_renew, MESSAGE_RENEWED)


@member_required
@require_POST
def profile_pause(request):
    return _profile_step(request, services.profile_pause, MESSAGE_PAUSED)


@member_required
@require_POST
def profile_resume(request):
    return _profile_step(request, services.profile_resume, MESSAGE_RESUMED)


@member_required
@require_http_methods(["GET", "POST"])
def profile_delete(request):
    own = _own_profile(request)
    if own is None:
        raise Http404
    if request.method == "POST":
        services.profile_delete(profile=own, by=request.user, now=_now())
        messages.success(request, MESSAGE_DELETED)
        return redirect("friends:index")
    return render(request, "friends/profile_delete.html", {"own": own})


# --- Someone's profile -------------------------------------------------------------------------


def _pair_state(request, profile: Profile) -> dict:
    other = profile.member
    return {
        "conversation": services.find_pair(request.user, other),
        # A request the other member wrote that a moderator still holds is not shown.
        "open_request": ContactRequest.objects.filter(
            Q(sender=request.user, recipient=other, status__in=ContactRequest.PENDING_STATUSES)
            | Q(sender=other, recipient=request.user, status=ContactRequest.Status.OPEN)
        ).first(),
    }


@member_required
@require_http_methods(["GET", "POST"])
def profile_detail(request, profile_id: int):
    """A member's profile, with the contact request form under it."""
    own, profile = _viewable_profile_or_404(request, profile_id)
    form = RequestForm(request.POST or None)
    show_crisis_help = False
    if request.method == "POST" and form.is_valid():
        words = lookups.crisis_words(request)
        try:
            contact_request = services.request_send(
                sender=request.user,
                profile=profile,
                message=form.cleaned_data["message"],
                now=_now(),
                crisis_words=words,
            )
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
            # Refused for another reason (the day's limit, say): what they wrote stays in the
            # form, and the crisis numbers are shown all the same.
            show_crisis_help = crisis.signals_crisis(form.cleaned_data["message"], words)
        else:
            if contact_request.status == ContactRequest.Status.HELD:
                messages.warning(request, MESSAGE_REQUEST_HELD_CRISIS)
                request.session[CRISIS_SESSION_KEY] = True
            else:
                messages.success(request, MESSAGE_REQUEST_SENT)
            return redirect("friends:requests")
    return render(
        request,
        "friends/profile.html",
        {
            "profile": profile,
            "card": cards.profile_card(profile),
            "own": own,
            "own_listed": own.is_listed(_now()),
            "form": form,
            "suspended_until": _suspended_until(request),
            "show_crisis_help": show_crisis_help,
            **_pair_state(request, profile),
            **_nav(request),
        },
    )


@member_required
@require_POST
def profile_block(request, profile_id: int):
    _own, profile = _viewable_profile_or_404(request, profile_id)
    services.block_create(blocker=request.user, blocked=profile.member, now=_now())
    messages.success(request, MESSAGE_BLOCKED)
    return redirect("friends:index")


@member_required
@require_http_methods(["GET", "POST"])
def profile_report(request, profile_id: int):
    _own, profile = _viewable_profile_or_404(request, profile_id)
    return _report_page(request, reported=profile.member, profile=profile)


# --- Blocks ------------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET"])
def block_list(request):
    """The members this member blocked, each with a button to undo it."""
    return render(
        request,
        "friends/blocked.html",
        {
            "blocks": selectors.blocks_by(member=request.user),
            "own": _own_profile(request),
            **_nav(request),
        },
    )


@member_required
@require_POST
def block_undo(request, user_id: int):
    block = selectors.blocks_by(member=request.user, blocked_id=user_id)
    if not block:
        raise Http404
    blocked = block[0].blocked
    services.block_remove(blocker=request.user, blocked=blocked, now=_now())
    messages.success(request, MESSAGE_UNBLOCKED % {"name": blocked.get_username()})
    return redirect("friends:blocked")


# --- Requests ----------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET"])
def request_list(request):
    return render(
        request,
        "friends/requests.html",
        {
            # Each request with its sender's card.
            "incoming": [
                (item, cards.profile_card(item.sender.friend_profile, short=True))
                for item in selectors.incoming_requests(member=request.user)
            ],
            "outgoing": selectors.outgoing_requests(member=request.user),
            "own": _own_profile(request),
            "show_crisis_help": request.session.pop(CRISIS_SESSION_KEY, False),
            **_nav(request),
        },
    )


@member_required
@require_POST
def request_answer(request, request_id: int):
    try:
        contact_request = selectors.request_for_member(request_id=request_id, member=request.user)
    except ContactRequest.DoesNotExist:
        raise Http404 from None
    action = request.POST.get("action")
    now = _now()
    try:
        if action == "accept":
            conversation = services.request_accept(
                request=contact_request,
                by=request.user,
                now=now,
                crisis_words=lookups.crisis_words(request),
            )
            messages.success(request, MESSAGE_ACCEPTED)
            return redirect("friends:conversation", conversation_id=conversation.pk)
        if action == "decline":
            services.request_decline(request=contact_request, by=request.user, now=now)
            messages.success(request, MESSAGE_DECLINED)
        elif action == "withdraw":
            services.request_withdraw(request=contact_request, by=request.user, now=now)
            messages.success(request, MESSAGE_WITHDRAWN)
        else:
            raise Http404
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You cannot do this."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("friends:requests")


# --- Conversations -----------------------------------------------------------------------------


def _conversation_or_404(request, conversation_id: int) -> Conversation:
    try:
        return selectors.conversation_for_member(
            conversation_id=conversation_id, member=request.user
        )
    except Conversation.DoesNotExist:
        raise Http404 from None


@member_required
@require_http_methods(["GET"])
def conversation_list(request):
    conversations = selectors.conversations_of(member=request.user)
    for conversation in conversations:
        conversation.other = conversation.partner(request.user)
    return render(
        request,
        "friends/conversations.html",
        {"conversations": conversations, "own": _own_profile(request), **_nav(request)},
    )


@member_required
@require_http_methods(["GET", "POST"])
def conversation_detail(request, conversation_id: int):
    conversation = _conversation_or_404(request, conversation_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.message_send(
                conversation=conversation,
                author=request.user,
                body=form.cleaned_data["body"],
                now=_now(),
                crisis_words=lookups.crisis_words(request),
            )
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            if message.status == Message.Status.VISIBLE:
                messages.success(request, MESSAGE_SENT)
            elif message.urgent:
                messages.warning(request, MESSAGE_HELD_CRISIS)
                request.session[CRISIS_SESSION_KEY] = True
            if "contact" in message.hold_reasons:
                messages.warning(request, MESSAGE_HELD_CONTACT)
            return redirect(f"{request.path}#message-{message.pk}")
    services.conversation_mark_read(conversation=conversation, reader=request.user, now=_now())
    partner = conversation.partner(request.user)
    return render(
        request,
        "friends/conversation.html",
        {
            "conversation": conversation,
            "partner": partner,
            "letters": selectors.conversation_messages(
                conversation=conversation, reader=request.user
            ),
            "form": form,
            "may_write": services.may_write(conversation=conversation, author=request.user),
            "suspended_until": _suspended_until(request),
            "show_crisis_help": request.session.pop(CRISIS_SESSION_KEY, False),
            **_nav(request),
        },
    )


@member_required
@require_POST
def conversation_block(request, conversation_id: int):
    conversation = _conversation_or_404(request, conversation_id)
    partner = conversation.partner(request.user)
    if partner is None:
        raise Http404
    services.block_create(blocker=request.user, blocked=partner, now=_now())
    messages.success(request, MESSAGE_BLOCKED)
    return redirect("friends:conversations")


@member_required
@require_http_methods(["GET", "POST"])
def conversation_report(request, conversation_id: int):
    conversation = _conversation_or_404(request, conversation_id)
    partner = conversation.partner(request.user)
    if partner is None:
        raise Http404
    return _report_page(request, reported=partner, conversation=conversation)


def _report_page(request, *, reported, conversation=None, profile=None):
    partner_messages = []
    if conversation is not None:
        partner_messages = list(
            conversation.messages.filter(author=reported, status=Message.Status.VISIBLE).order_by(
                "-created_at"
            )[:50]
        )
    form = ReportForm(request.POST or None, partner_messages=partner_messages)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                reporter=request.user,
                reported=reported,
                conversation=conversation,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                messages=form.chosen_messages(),
                now=_now(),
            )
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, MESSAGE_REPORTED)
            if conversation is not None:
                return redirect("friends:conversation", conversation_id=conversation.pk)
            return redirect("friends:profile", profile_id=profile.pk)
    return render(
        request,
        "friends/report.html",
        {"form": form, "reported": reported, "conversation": conversation, "profile": profile},
    )
