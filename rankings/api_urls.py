from django.urls import path

from rankings import api

urlpatterns = [
    path("rankings/", api.RankingView.as_view(), name="api-rankings"),
    path("rankings/series/", api.SeriesView.as_view(), name="api-rankings-series"),
    path("rankings/recognition/", api.RecognitionView.as_view(), name="api-rankings-recognition"),
    path("rankings/units/<str:code>/", api.UnitRankingView.as_view(), name="api-rankings-unit"),
    path(
        "rankings/units/<str:code>/progress/",
        api.UnitProgressView.as_view(),
        name="api-rankings-unit-progress",
    ),
]
