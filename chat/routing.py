"""WebSocket routes of the one-to-one chat (member and supervisor sockets)."""

from django.urls import path

from chat.consumers import ConsoleSocket, MemberSocket

websocket_urlpatterns: list = [
    path("ws/chat/console/", ConsoleSocket.as_asgi()),
    path("ws/chat/<int:conversation_id>/", MemberSocket.as_asgi()),
]
