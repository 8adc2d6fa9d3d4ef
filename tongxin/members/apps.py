from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "tongxin.members"
    label = "members"
    verbose_name = "党员"
