"""``/reports/{date}``: the public daily report (``report.py``) as one HTML page, with its
plots inline (SVG, no script, no external resource) and the command that verifies the draw."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from booking_sandbox.report import bar_chart_svg

TITLES = {"nationality": "Nationality group (primary applicant)",
          "household_size": "Household size (people)", "hour": "Hour of the request"}

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Allocation report {{ report.request_date }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1rem auto;max-width:60rem;padding:0 1rem;color:#111}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #999;padding:.2rem .5rem;
text-align:right}th[scope=row],caption{text-align:left}figure{margin:0}svg{max-width:100%;height:auto}
code{background:#eee;padding:.1rem .3rem}
</style></head>
<body><main>
<h1>Allocation report for requests of {{ report.request_date }}</h1>
<p>Every figure below is public. No names, phones or ids are shown; a group with fewer than
{{ report.min_cell }} households asking, selected or not selected is shown as
"&lt;{{ report.min_cell }}" and left out of the tests and plots. Anyone can re-run the draw
from its publication
(<a href="{{ report.published }}">{{ report.published }}</a>):
<code>{{ report.verify }}</code> (or <code>python3 docs/audit_allocation.py FILE</code>).</p>
{% for port in report.ports %}
<section aria-labelledby="port-{{ port.port }}">
<h2 id="port-{{ port.port }}">{{ port.name }}</h2>
<table><caption>Places and requests</caption><tbody>
<tr><th scope="row">Places (people)</th><td>{{ port.capacity }}</td></tr>
<tr><th scope="row">Households that asked</th><td>{{ port.households_requested }}</td></tr>
<tr><th scope="row">People in them</th><td>{{ port.people_requested }}</td></tr>
<tr><th scope="row">Longest-waiting share</th>
<td>{{ (100 * (port.longest_waiting_share or 0))|round|int }}%</td></tr>
<tr><th scope="row">Places to the longest waiting</th><td>{{ port.places_waited_longest }}
({{ port.households_waited_longest }} households
{%- if port.longest_waiting_cutoff_days is not none %}, waiting
{{ port.longest_waiting_cutoff_days }} days or more{% endif %})</td></tr>
<tr><th scope="row">Places drawn</th><td>{{ port.places_drawn }} ({{ port.households_drawn }}
of {{ port.households_in_draw }} households in the draw)</td></tr>
</tbody></table>
{% for name, breakdown in port.by.items() %}
<h3>{{ titles[name] }}</h3>
<table><caption>Selected by {{ titles[name]|lower }}; chi-square test of independence:
p = {{ breakdown.chi_square_p if breakdown.chi_square_p is not none
      else "not computed (too few groups)" }}</caption>
<thead><tr><th scope="col">Group</th><th scope="col">Households</th>
<th scope="col">Selected</th><th scope="col">Rate</th></tr></thead>
<tbody>{% for group in breakdown.groups %}<tr><th scope="row">{{ group.group }}</th>
<td>{{ group.households }}</td><td>{{ group.selected if group.selected is not none else "-" }}</td>
<td>{{ "%.1f%%"|format(100 * group.rate) if group.rate is not none else "-" }}</td></tr>
{% endfor %}</tbody></table>
<figure role="img"
 aria-label="Bar chart: share selected by {{ titles[name]|lower }} at {{ port.name }}">
{{ plots[port.port][name] }}</figure>
{% endfor %}
</section>
{% endfor %}
</main></body></html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_TEMPLATE = _ENV.from_string(_PAGE)


def render_report(report: dict[str, Any]) -> str:
    plots = {
        port["port"]: {
            name: Markup(bar_chart_svg(f"{port['name']}: {TITLES[name]}", breakdown))  # noqa: S704
            for name, breakdown in port["by"].items()
        }
        for port in report["ports"]
    }
    return _TEMPLATE.render(report=report, plots=plots, titles=TITLES)
