"""Members' pages of the one-to-one chat, mounted at /chat/."""

from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("", views.chat_index, name="index"),
    path("start/", views.chat_start, name="start"),
    path("letter/", views.chat_letter, name="letter"),
    path("<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path("<int:conversation_id>/end/", views.conversation_end, name="end"),
    path("<int:conversation_id>/crisis-contact/", views.crisis_contact, name="crisis_contact"),
    path("<int:conversation_id>/feedback/", views.feedback, name="feedback"),
]
