from django.urls import path

from pages import views

urlpatterns = [
    path("callback/", views.callback_request, name="callback_request"),
    path("callback/sent/", views.callback_request_sent, name="callback_request_sent"),
]
