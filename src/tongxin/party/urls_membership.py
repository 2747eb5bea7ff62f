from django.urls import path

from . import views_membership as views

app_name = "party_membership"

urlpatterns = [
    path("development/", views.development_list, name="development-list"),
    path("development/new/", views.development_create, name="development-create"),
    path("development/<int:pk>/", views.development_detail, name="development-detail"),
    path("transfers/", views.transfer_list, name="transfer-list"),
    path("transfers/new/", views.transfer_create, name="transfer-create"),
    path("transfers/<int:pk>/decide/", views.transfer_decide, name="transfer-decide"),
]
