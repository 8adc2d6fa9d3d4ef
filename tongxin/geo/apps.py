from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "tongxin.geo"
    label = "geo"
    verbose_name = "行政区域"
