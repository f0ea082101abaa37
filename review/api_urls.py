from django.urls import path

from review import api

urlpatterns = [
    path("review/queue/", api.QueueView.as_view(), name="api-review-queue"),
    path("review/cases/<int:pk>/", api.CaseView.as_view(), name="api-review-case"),
    path("review/cases/<int:pk>/decide/", api.DecideView.as_view(), name="api-review-decide"),
    path("review/cases/<int:pk>/claim/", api.ClaimView.as_view(), name="api-review-claim"),
]
