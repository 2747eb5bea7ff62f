from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_list, name="unit-list"),
    path("units/export/", views.unit_export, name="unit-export"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("officers/", views.officer_list, name="officer-list"),
    path("officers/export/", views.officer_export, name="officer-export"),
    path("officers/new/", views.officer_edit, name="officer-create"),
    path("officers/<int:pk>/", views.officer_detail, name="officer-detail"),
    path("officers/<int:pk>/edit/", views.officer_edit, name="officer-edit"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_edit, name="user-create"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("import/", views.import_page, name="import"),
    path("import/template/<str:kind>/", views.import_template, name="import-template"),
]
