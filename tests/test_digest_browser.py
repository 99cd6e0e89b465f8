"""The digest page in headless Chromium: charts and story groups render, and the topic filter works.

Skipped with a reason where Debian's `chromium` is absent (.ci/run installs it). Screenshots go to
test-artifacts/.
"""

import datetime as dt
import json
import re
import shutil
import subprocess
from email.utils import format_datetime
from pathlib import Path

import pytest

from nlpkit.cli import digest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1300,1800",
    "--virtual-time-budget=3000",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(fast_trained, tmp_path_factory):
    if shutil.which("chromium") is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("digest")
    html = folder / "digest.html"
    assert (
        digest.main(
            [
                str(ROOT / "seeds" / "pairs" / "articles.jsonl"),
                "--model",
                str(fast_trained.bundle),
                "--html",
                str(html),
                "--quiet",
                "--top",
                "0",
            ]
        )
        == 0
    )
    return html


def chromium(*args: str) -> str:
    profile = ARTIFACTS / ".chromium-profile"
    result = subprocess.run(
        ["chromium", *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120
    )
    return result.stdout


def test_charts_and_groups_render(page):
    dom = chromium("--dump-dom", page.as_uri())
    assert len(re.findall(r'<rect class="bar" data-topic="', dom)) >= 5
    for chart in ("chart-topics", "chart-days", "chart-sources"):
        assert f'id="{chart}"' in dom
    stories = re.findall(r'<article class="story[^"]*" id="s\d+"', dom)
    assert len(stories) >= 5 and re.search(r'<span id="shown">\d+</span>', dom)
    ARTIFACTS.mkdir(exist_ok=True)
    chromium(f"--screenshot={ARTIFACTS / 'digest.png'}", page.as_uri())
    assert (ARTIFACTS / "digest.png").stat().st_size > 10_000


def test_topic_filter_hides_the_other_stories(page):
    dom = chromium("--dump-dom", page.as_uri() + "#topic=energy")
    cards = re.findall(r'<article class="(story[^"]*)" id="s\d+" data-topic="[^"]*" data-topics="([^"]*)"', dom)
    shown = [topics for classes, topics in cards if "hidden" not in classes]
    hidden = [topics for classes, topics in cards if "hidden" in classes]
    assert shown and hidden
    assert all("energy" in topics.split() for topics in shown)
    assert all("energy" not in topics.split() for topics in hidden)
    assert f'<span id="shown">{len(shown)}</span>' in dom


MEASURE = """<script>
(function(){
  function inside(inner, outer){var a=inner.getBoundingClientRect(), b=outer.getBoundingClientRect();
    return a.left>=b.left-1 && a.right<=b.right+1 && a.top>=b.top-1 && a.bottom<=b.bottom+1;}
  var bad=[];
  document.querySelectorAll('svg.chart text').forEach(function(t){
    if(!inside(t, t.ownerSVGElement)) bad.push(t.textContent);});
  var scroll=document.querySelector('#chart-days').closest('.scroll');
  var ticks=document.querySelectorAll('#chart-days text.tick');
  var newest=ticks.length>1?ticks[ticks.length-2]:null;  // the last tick is 'undated'
  var story=document.querySelector('article.story').getBoundingClientRect();
  var panels=document.querySelector('.panels').getBoundingClientRect();
  document.body.setAttribute('data-clipped', JSON.stringify(bad));
  document.body.setAttribute('data-newest-visible', String(newest!==null && inside(newest, scroll)));
  document.body.setAttribute('data-story-top', String(Math.round(story.top)));
  document.body.setAttribute('data-panels-top', String(Math.round(panels.top)));
})();
</script>"""


@pytest.fixture(scope="module")
def long_feed_page(fast_trained, tmp_path_factory):
    """The pairs set spread over ten months, in RSS and written-English dates, with a long outlet name,
    some articles undated and some with no outlet: the day axis scrolls, and nothing may be cut."""
    if shutil.which("chromium") is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("digest-long")
    records = [
        json.loads(line)
        for line in (ROOT / "seeds" / "pairs" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    for number, record in enumerate(records):
        day = dt.date(2024, 6, 1) + dt.timedelta(days=9 * number)
        record["date"] = [
            day.isoformat(),
            format_datetime(dt.datetime(day.year, day.month, day.day, 9)),
            day.strftime("%B %d, %Y"),
        ][number % 3]
        if number % 7 == 3:
            record.pop("date")
        if number % 5 == 0:
            record["source"] = "Central Asian Regional Economic and Political Review"
        if number % 6 == 1:
            record.pop("source")
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    html = folder / "digest.html"
    out = folder / "digest.json"
    assert (
        digest.main(
            [
                str(feed),
                "--model",
                str(fast_trained.bundle),
                "--html",
                str(html),
                "--output",
                str(out),
                "--quiet",
                "--top",
                "0",
            ]
        )
        == 0
    )
    return html, json.loads(out.read_text(encoding="utf-8"))


def test_analyst_layout_at_1600_by_1000(long_feed_page):
    html, data = long_feed_page
    assert sum(sum(v.values()) for v in data["by_day"].values()) + sum(data["undated"].values()) == data["articles"]
    assert sum(data["unknown_source"].values()) > 0 and sum(data["undated"].values()) > 0
    measured = html.with_name("measured.html")
    measured.write_text(html.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = chromium("--window-size=1600,1000", "--dump-dom", measured.as_uri())
    body = re.search(r"<body([^>]*)>", dom)
    assert body, dom[:500]
    attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body.group(1)))
    assert json.loads(attributes["clipped"].replace("&quot;", '"')) == []  # no label cut by its chart
    assert attributes["newest-visible"] == "true"  # the day axis opens on the newest day
    assert int(attributes["story-top"]) < min(1000, int(attributes["panels-top"]))  # stories first, on the first screen
    assert (
        "undated" in dom
        and "unknown outlet" in dom
        and re.search(r"<details open[^>]*>.*?similarity \d\.\d\d", dom, re.S)
    )
    ARTIFACTS.mkdir(exist_ok=True)
    chromium("--window-size=1600,1000", f"--screenshot={ARTIFACTS / 'digest-1600.png'}", html.as_uri())
    assert (ARTIFACTS / "digest-1600.png").stat().st_size > 10_000
