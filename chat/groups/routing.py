"""WebSocket routes of the group sessions."""

from django.urls import path

from chat.groups.consumers import GroupRoomSocket

websocket_urlpatterns: list = [
    path("ws/samtalerom/<int:session_id>/", GroupRoomSocket.as_asgi()),
]
