"""Members' pages of the friend service, mounted at /friends/."""

from django.urls import path

from friends import views

app_name = "friends"

urlpatterns = [
    path("", views.index, name="index"),
    path("profile/", views.my_profile, name="my_profile"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/renew/", views.profile_renew, name="profile_renew"),
    path("profile/pause/", views.profile_pause, name="profile_pause"),
    path("profile/resume/", views.profile_resume, name="profile_resume"),
    path("profile/delete/", views.profile_delete, name="profile_delete"),
    path("p/<int:profile_id>/", views.profile_detail, name="profile"),
    path("p/<int:profile_id>/block/", views.profile_block, name="profile_block"),
    path("p/<int:profile_id>/report/", views.profile_report, name="profile_report"),
    path("blocked/", views.block_list, name="blocked"),
    path("blocked/<int:user_id>/unblock/", views.block_undo, name="block_undo"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:request_id>/", views.request_answer, name="request_answer"),
    path("c/", views.conversation_list, name="conversations"),
    path("c/<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path("c/<int:conversation_id>/block/", views.conversation_block, name="conversation_block"),
    path("c/<int:conversation_id>/report/", views.conversation_report, name="conversation_report"),
]
