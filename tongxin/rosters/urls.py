from django.urls import path  # noqa: F401

app_name = "rosters"
urlpatterns: list = []  # type: ignore[type-arg]
