from django.urls import path

from outcomes import views_board

# Included by outcomes/urls.py under /outcomes/ (namespace "outcomes").
urlpatterns = [
    path("board/", views_board.board_page, name="board"),
    path("board/print/", views_board.board_print, name="board_print"),
    path("board/pack.xlsx", views_board.board_xlsx, name="board_xlsx"),
    path("board/<slug:section>.csv", views_board.board_csv, name="board_csv"),
]
