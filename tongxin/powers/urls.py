from __future__ import annotations

from django.urls import path

from tongxin.powers import public, views

app_name = "powers"
urlpatterns = [
    path("", views.index, name="index"),
    path("load/", views.load, name="load"),
    path("areas/<int:area_pk>/", views.catalogue, name="catalogue"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("instances/", views.instance_list, name="instances"),
    path("instances/<int:pk>/", views.instance_detail, name="instance"),
    path("instances/<int:pk>/documents/<int:doc_pk>/", views.document, name="document"),
    path("public/", public.register, name="public"),
    path("public/areas/<int:area_pk>/", public.area_catalogue, name="public_area"),
    path("public/items/<int:pk>/", public.item, name="public_item"),
    path("public/instances/<int:pk>/", public.instance, name="public_instance"),
    path("public/instances/<int:pk>/objections/", public.object_to, name="object"),
]
