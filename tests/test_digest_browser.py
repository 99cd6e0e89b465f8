"""The digest page in headless Chromium: charts and story groups render, and the topic filter works.

Skipped with a reason where Debian's `chromium` is absent (.ci/run installs it). Screenshots go to
test-artifacts/.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from nlpkit.cli import digest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--window-size=1300,1800", "--virtual-time-budget=3000"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(fast_trained, tmp_path_factory):
    if shutil.which("chromium") is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("digest")
    html = folder / "digest.html"
    assert digest.main([str(ROOT / "seeds" / "pairs" / "articles.jsonl"), "--model", str(fast_trained.bundle),
                        "--html", str(html), "--quiet", "--top", "0"]) == 0
    return html


def chromium(*args: str) -> str:
    profile = ARTIFACTS / ".chromium-profile"
    result = subprocess.run(["chromium", *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120)
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
