from django.urls import path

from accounts.units import views

urlpatterns = [
    path("", views.unit_list, name="unit-list"),
    path("nhap/", views.unit_import, name="unit-import"),
    path("<str:code>/", views.unit_detail, name="unit-detail"),
    path("<str:code>/sap-xep/", views.unit_reorganise, name="unit-reorganise"),
]
