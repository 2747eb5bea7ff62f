from django.urls import path

from . import views

app_name = "prisoners"

urlpatterns = [
    path("", views.prisoner_list, name="list"),
    path("export/", views.prisoner_export, name="export"),
    path("import/", views.import_page, name="import"),
    path("import/template/", views.import_template, name="import-template"),
    path("<int:pk>/", views.prisoner_detail, name="detail"),
    path("<int:pk>/record/<slug:action>/", views.record_form, name="record"),
    path("<int:pk>/cancel/<slug:what>/<int:item>/", views.cancel_form, name="cancel"),
]
