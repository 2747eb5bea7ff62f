from django.urls import path

from . import views_mentoring as views

app_name = "party_mentoring"

urlpatterns = [
    path("mentoring/", views.branch_mentoring, name="branch"),
]
