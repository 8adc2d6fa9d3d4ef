from django.urls import path  # noqa: F401

app_name = "grids"
urlpatterns: list = []  # type: ignore[type-arg]
