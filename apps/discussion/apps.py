from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "apps.discussion"
    label = "discussion"
    verbose_name = "Case discussion"
