from django.urls import path

from initiatives import views

urlpatterns = [
    path("", views.home_redirect, name="initiatives-home"),
    path("moi/", views.initiative_create, name="initiative-create"),
    path("cua-toi/", views.initiative_mine, name="initiative-mine"),
    path("danh-sach/", views.initiative_list, name="initiative-list"),
    path("<int:pk>/", views.initiative_detail, name="initiative-detail"),
    path("<int:pk>/sua/", views.initiative_edit, name="initiative-edit"),
    path(
        "<int:pk>/tep/<int:attachment_id>/",
        views.attachment_download,
        name="initiative-attachment",
    ),
    path(
        "<int:pk>/tep/<int:attachment_id>/xoa/",
        views.attachment_delete,
        name="initiative-attachment-delete",
    ),
    path("ap-phich/", views.poster_list, name="initiative-poster-list"),
    path("ap-phich/<str:code>/", views.poster, name="initiative-poster"),
    path("thu-vien/", views.library, name="library"),
    path("thu-vien/<int:pk>/", views.library_detail, name="library-detail"),
]
