from outcomes.urls_board import urlpatterns as board_patterns
from outcomes.urls_reports import urlpatterns as report_patterns
from outcomes.urls_sac import urlpatterns as sac_patterns

app_name = "outcomes"

urlpatterns = [*report_patterns, *board_patterns, *sac_patterns]
