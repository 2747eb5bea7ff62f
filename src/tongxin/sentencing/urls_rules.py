from django.urls import path

from . import views_rules as views

app_name = "sentencing_rules"

urlpatterns = [path("", views.rules_page, name="page")]
