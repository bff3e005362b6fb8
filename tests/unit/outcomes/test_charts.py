"""Server-drawn SVG charts: accessible names, every value as text, no injection."""

import re

from outcomes import charts


def test_horizontal_bars_are_named_and_labelled():
    svg = charts.horizontal_bars(
        chart_id="c1",
        title="Was the adult asked?",
        bars=[charts.Bar("Yes", 8), charts.Bar("No", 2)],
    )
    assert svg.startswith('<svg class="app-chart" role="img"')
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Was the adult asked?</title>' in svg
    assert '<desc id="c1-desc">Yes: 8; No: 2</desc>' in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"Yes", "No", "8", "2"} <= set(texts)
    widths = [
        float(w)
        for w in re.findall(r'<rect class="app-chart__bar"[^>]*width="([\d.]+)"', svg)
    ]
    assert widths[0] == 4 * widths[1]  # bar length is proportional to value


def test_labels_are_escaped():
    svg = charts.horizontal_bars(
        chart_id="c2", title="<script>x</script>", bars=[charts.Bar("<b>", 1)]
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg


def test_column_chart_has_a_bar_and_label_per_period():
    bars = [charts.Bar(f"{m} 2025", n) for m, n in (("Apr", 3), ("May", 0), ("Jun", 5))]
    svg = charts.column_chart(chart_id="c3", title="Concluded", bars=bars)
    assert svg.count('class="app-chart__bar"') == 3
    assert "Apr 25" in svg and "Jun 25" in svg
    assert "Apr 2025: 3; May 2025: 0; Jun 2025: 5" in svg


def test_stacked_achievement_splits_each_row_and_writes_the_counts():
    rows = [
        {"label": "65-74", "fully": 2, "partially": 1, "not_achieved": 1},
        {"label": "95+", "fully": 0, "partially": 0, "not_achieved": 0},
    ]
    svg = charts.stacked_achievement(chart_id="c4", title="By age", rows=rows)
    for css in ("--fully", "--partially", "--not"):
        assert f'class="app-chart__bar{css}"' in svg
    assert "2 fully, 1 partially, 1 not" in svg
    assert "None evaluated" in svg  # an empty row says so instead of a blank
    assert "65-74: 2 fully, 1 partially, 1 not" in svg  # in the description
    assert "style=" not in svg  # colours come from CSS classes only
