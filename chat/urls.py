"""Members' pages of the one-to-one chat, mounted at /chat/."""

app_name = "chat"

urlpatterns: list = []
