"""Members' pages of the friend service, mounted at /friends/."""

app_name = "friends"

urlpatterns: list = []
