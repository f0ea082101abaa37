from django.urls import path

from initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("", views.home_redirect, name="home"),
    path("moi/", views.initiative_create, name="create"),
    path("cua-toi/", views.initiative_mine, name="mine"),
    path("danh-sach/", views.initiative_list, name="list"),
    path("<int:pk>/", views.initiative_detail, name="detail"),
    path("<int:pk>/kiem-tra/", views.initiative_check_status, name="check-status"),
    path("<int:pk>/sua/", views.initiative_edit, name="edit"),
    path(
        "<int:pk>/tep/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "<int:pk>/tep/<int:attachment_id>/xoa/",
        views.attachment_delete,
        name="attachment-delete",
    ),
    path("ap-phich/", views.poster_list, name="poster-list"),
    path("ap-phich/<str:code>/", views.poster, name="poster"),
    path("cong-nhan/", views.recognition, name="recognition"),
    path("thu-vien/", views.library, name="library"),
    path("thu-vien/<int:pk>/", views.library_detail, name="library-detail"),
]
