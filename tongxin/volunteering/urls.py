from django.urls import path  # noqa: F401

app_name = "volunteering"
urlpatterns: list = []  # type: ignore[type-arg]
