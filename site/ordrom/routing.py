"""WebSocket routes of every app, in one list (the chat issue adds its consumers here)."""

websocket_urlpatterns: list = []
