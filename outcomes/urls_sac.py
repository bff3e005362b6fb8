from django.urls import path

from outcomes import views_sac, views_sar

# Included by outcomes/urls.py under /outcomes/ (namespace "outcomes").
urlpatterns = [
    path("sac/", views_sac.sac_return, name="sac_return"),
    path("sac/return.csv", views_sac.sac_download_csv, name="sac_download_csv"),
    path("sac/return.xlsx", views_sac.sac_download_xlsx, name="sac_download_xlsx"),
    path("reviews/", views_sac.sar_list, name="sar_list"),
    path("reviews/add/", views_sac.sar_add, name="sar_add"),
    path("reviews/<uuid:reference>/", views_sar.sar_detail, name="sar_detail"),
    path("reviews/refer/<uuid:person_reference>/", views_sar.refer, name="sar_refer"),
    path("reviews/<uuid:reference>/decision/", views_sar.decision, name="sar_decision"),
    path(
        "reviews/<uuid:reference>/recommendations/add/",
        views_sar.recommendation_add,
        name="sar_recommendation_add",
    ),
    path(
        "reviews/<uuid:reference>/recommendations/<int:pk>/done/",
        views_sar.recommendation_done,
        name="sar_recommendation_done",
    ),
    path("reviews/<uuid:reference>/edit/", views_sac.sar_edit, name="sar_edit"),
    path("import/", views_sac.import_upload, name="import_upload"),
    path("export/", views_sac.export_start, name="export_start"),
    path("jobs/<uuid:reference>/", views_sac.job_detail, name="job_detail"),
    path(
        "jobs/<uuid:reference>/confirm/",
        views_sac.import_confirm,
        name="import_confirm",
    ),
    path(
        "jobs/<uuid:reference>/download/",
        views_sac.export_download,
        name="export_download",
    ),
]
