from django.urls import path

from review import views

urlpatterns = [
    path("", views.queue, name="review-queue"),
    path("hang-loat/", views.bulk_decide, name="review-bulk"),
    path("chinh-sach/", views.policy, name="review-policy"),
    path("thong-bao/", views.notices, name="review-notices"),
    path("<int:pk>/", views.case, name="review-case"),
    path("<int:pk>/nguon/<int:source_pk>/", views.case_source, name="review-source"),
    path("<int:pk>/quyet-dinh/", views.decide, name="review-decide"),
    path("<int:pk>/nhan/", views.claim, name="review-claim"),
    path("<int:pk>/tra-lai-hang-cho/", views.release, name="review-release"),
    path("<int:pk>/giao/", views.assign, name="review-assign"),
]
