from django.urls import path

from . import views_records as views

app_name = "party_records"

urlpatterns = [
    path("dues/", views.dues_ledger, name="dues"),
    path("dues/arrears/", views.dues_arrears, name="arrears"),
    path("study/", views.study_list, name="study"),
    path("standardisation/", views.standardisation, name="standardisation"),
    path("standardisation/<int:pk>/<int:year>/", views.assess, name="assess"),
    path("minutes-flags/", views.minutes_flags, name="flags"),
    path("minutes-flags/<int:pk>/review/", views.review_flag, name="flag-review"),
]
