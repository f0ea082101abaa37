from django.urls import path

from initiatives import import_views

urlpatterns = [
    path("", import_views.import_page, name="initiative-import"),
    path("mau.xlsx", import_views.import_template, name="initiative-import-template"),
    path("tac-vu/<int:pk>/", import_views.import_job, name="initiative-import-job"),
    path(
        "tac-vu/<int:pk>/tien-do/",
        import_views.import_job_progress,
        name="initiative-import-progress",
    ),
    path("xuat/", import_views.export_unit, name="initiative-export"),
]
