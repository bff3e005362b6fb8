from django.urls import path

from outcomes import views_sac

# Included by outcomes/urls.py under /outcomes/ (namespace "outcomes").
urlpatterns = [
    path("sac/", views_sac.sac_return, name="sac_return"),
    path("sac/return.csv", views_sac.sac_download_csv, name="sac_download_csv"),
    path("sac/return.xlsx", views_sac.sac_download_xlsx, name="sac_download_xlsx"),
    path("reviews/", views_sac.sar_list, name="sar_list"),
    path("reviews/add/", views_sac.sar_add, name="sar_add"),
    path("reviews/<uuid:reference>/", views_sac.sar_detail, name="sar_detail"),
    path("reviews/<uuid:reference>/edit/", views_sac.sar_edit, name="sar_edit"),
    path("import/", views_sac.import_upload, name="import_upload"),
    path("import/confirm/", views_sac.import_confirm, name="import_confirm"),
]
