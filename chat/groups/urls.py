"""Members' pages of the group sessions, mounted at /chat/samtalerom/."""

app_name = "chatgroups"

urlpatterns: list = []
