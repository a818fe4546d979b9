"""WebSocket routes of the one-to-one chat (member and supervisor sockets)."""

websocket_urlpatterns: list = []
