"""WebSocket routes of every app, in one list."""

from chat.groups.routing import websocket_urlpatterns as group_routes
from chat.routing import websocket_urlpatterns as chat_routes

websocket_urlpatterns: list = [*chat_routes, *group_routes]
