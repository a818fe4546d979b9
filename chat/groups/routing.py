"""WebSocket routes of the group sessions."""

websocket_urlpatterns: list = []
