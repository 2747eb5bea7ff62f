from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tongxin.org"
    label = "org"
    verbose_name = "组织机构"
