"""Members' pages of the group sessions, mounted at /chat/samtalerom/."""

from django.urls import path

from chat.groups import views

app_name = "chatgroups"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("notes/", views.notes, name="notes"),
    path("<int:session_id>/", views.sign_up, name="sign_up"),
    path("<int:session_id>/cancel/", views.cancel, name="cancel"),
    path("<int:session_id>/room/", views.room, name="room"),
]
