from django.urls import path

from letters import views

app_name = "letters"

urlpatterns = [
    path("", views.letter_index, name="index"),
    path("new/", views.letter_new, name="new"),
    path("<int:thread_id>/", views.thread_detail, name="thread"),
    path("<int:thread_id>/saved/", views.key_phrase_saved, name="key_phrase_saved"),
    path("<int:thread_id>/follow-up/", views.follow_up, name="follow_up"),
    path(
        "<int:thread_id>/answers/<int:reply_id>/feedback/", views.feedback, name="feedback"
    ),
    path(
        "<int:thread_id>/answers/<int:reply_id>/dismiss-follow-up/",
        views.follow_up_dismiss,
        name="follow_up_dismiss",
    ),
]
