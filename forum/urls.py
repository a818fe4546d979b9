from django.urls import path

from forum import views

app_name = "forum"

# The fixed words come before "<slug>/": a category cannot be called "regler", "search",
# "notifications", "t" or "p".
urlpatterns = [
    path("", views.forum_index, name="index"),
    path("regler/", views.forum_rules, name="rules"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notification_list, name="notifications"),
    path("t/<int:topic_id>/", views.topic_detail, name="topic"),
    path("t/<int:topic_id>/reply/", views.topic_reply, name="reply"),
    path("p/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("p/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("p/<int:post_id>/recognise/", views.post_recognise, name="post_recognise"),
    path("p/<int:post_id>/report/", views.post_report, name="post_report"),
    path("<slug:slug>/", views.category_detail, name="category"),
    path("<slug:slug>/new/", views.topic_new, name="topic_new"),
]
