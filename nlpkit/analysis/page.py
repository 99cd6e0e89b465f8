"""The digest as one self-contained HTML page: charts as inline SVG, stories as cards, topic filters.

No server, no scripts or fonts from elsewhere: the page opens from a file or an e-mail attachment. A few
lines of inline JavaScript do the topic filter; without JavaScript every story is simply shown.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["render_html", "safe_href", "TOPIC_COLOURS"]

#: One colour per topic (colour-blind-safe palette); unknown topics get grey.
TOPIC_COLOURS = {
    "diplomacy": "#0072B2",
    "energy": "#E69F00",
    "finance": "#009E73",
    "legal": "#CC79A7",
    "other": "#999999",
}
_FALLBACK = ["#56B4E9", "#D55E00", "#F0E442", "#000000"]


def _colour(topic: str, order: list[str]) -> str:
    if topic in TOPIC_COLOURS:
        return TOPIC_COLOURS[topic]
    return _FALLBACK[order.index(topic) % len(_FALLBACK)] if topic in order else "#777777"


#: Characters that reorder or hide text (bidi overrides, isolates, marks; zero-width joiners): a title could
#: otherwise show `exe.gpj` as `jpg.exe`. They are shown as visible escapes instead.
_HIDDEN = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
#: Link schemes the page keeps; anything else (javascript:, data:, vbscript:, ...) is shown as text only.
_SAFE_SCHEMES = ("http", "https", "file")
_TABS_AND_NEWLINES = re.compile("[\t\n\r]")


def _visible(text: str) -> str:
    return _HIDDEN.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def _e(value: Any) -> str:
    return html.escape(_visible(str(value)), quote=True)


def safe_href(link: str) -> str:
    """`link` if it is http(s), file or a relative path; "" for javascript:, data:, vbscript: and the like.

    Browsers drop tabs, newlines and leading spaces before reading a scheme, so the check does too.
    """
    squeezed = _TABS_AND_NEWLINES.sub("", link).strip("".join(map(chr, range(33))))
    try:
        scheme = urlsplit(squeezed).scheme.lower()
    except ValueError:
        return ""
    if scheme and scheme not in _SAFE_SCHEMES:
        return ""
    if not scheme and ":" in squeezed.split("/", 1)[0]:
        return ""  # a colon before the first slash reads as a scheme in some browsers
    return squeezed


def _topic_bars(topics: dict[str, int], order: list[str]) -> str:
    """Horizontal bars: count and share per topic."""
    total = sum(topics.values()) or 1
    width, row = 520, 26
    height = row * len(order) + 10
    longest = max(topics.values(), default=1) or 1
    parts = [
        f'<svg class="chart" id="chart-topics" role="img" aria-label="articles per topic" '
        f'width="{width}" height="{height}">'
    ]
    for i, topic in enumerate(order):
        count = topics.get(topic, 0)
        bar = int(300 * count / longest)
        y = 5 + i * row
        parts.append(
            f'<text x="0" y="{y + 16}" class="lbl">{_e(topic)}</text>'
            f'<rect class="bar" data-topic="{_e(topic)}" x="100" y="{y}" width="{bar}" height="{row - 6}" '
            f'fill="{_colour(topic, order)}">'
            f"<title>{_e(topic)}: {count} ({count / total:.0%})</title></rect>"
            f'<text x="{106 + bar}" y="{y + 16}" class="val">{count} · {count / total:.0%}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _segments(
    counts: dict[str, int], order: list[str], x: float, width: float, base: float, scale: float, key: str
) -> list[str]:
    """One vertical stacked bar: a rect per topic, bottom-up from `base`."""
    total = sum(counts.values()) or 1
    parts, y = [], base
    for topic in order:
        count = counts.get(topic, 0)
        if count:
            h = scale * count
            y -= h
            parts.append(
                f'<rect class="bar" data-topic="{_e(topic)}" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                f'height="{h:.1f}" fill="{_colour(topic, order)}"><title>{_e(key)} · {_e(topic)}: {count} of '
                f"{total} ({count / total:.0%})</title></rect>"
            )
    return parts


def _days(table: dict[str, dict[str, int]], undated: dict[str, int], order: list[str], span: int = 366) -> str:
    """Stacked bars on a true time axis: each day at its date (gaps stay gaps), the last `span` days with
    articles, then one bar for the undated articles. The newest day is at the right edge."""
    days = sorted(d for d in (_iso_day(key) for key in table) if d is not None)
    if not days and not undated:
        return ""
    newest = days[-1] if days else dt.date.today()
    first = max(days[0], newest - dt.timedelta(days=span - 1)) if days else newest
    count = (newest - first).days + 1
    step = max(6, min(40, 760 // count))
    top, plot, left = 10, 180, 45
    extra = 30 + max(step, 14) + 60 if undated else 60  # a gap before 'undated', room for the last rotated label
    width = left + step * count + extra
    shown = {d: table[d.isoformat()] for d in days if d >= first}
    highest = max([sum(v.values()) for v in shown.values()] + [sum(undated.values())]) or 1
    scale = plot / highest
    parts = [
        f'<svg class="chart" id="chart-days" role="img" aria-label="topics by day" '
        f'width="{width}" height="{top + plot + 80}">',
        f'<line x1="{left - 5}" y1="{top + plot}" x2="{left + step * count}" y2="{top + plot}" stroke="#bbb"/>',
        f'<text x="0" y="{top + 10}" class="val">{highest}</text>',
    ]
    last_label = -1e9
    for day, counts in shown.items():
        x = left + (day - first).days * step
        parts += _segments(counts, order, x + 1, max(step - 2, 2), top + plot, scale, day.isoformat())
        if x - last_label >= 16 or day == newest:
            parts.append(
                f'<text class="tick" transform="translate({x + step / 2:.0f},{top + plot + 8}) rotate(55)">'
                f"{day.isoformat()}</text>"
            )
            last_label = x
    if undated:
        x = left + step * count + 30
        parts += _segments(undated, order, x, max(step, 14), top + plot, scale, "undated")
        parts.append(
            f'<text class="tick" transform="translate({x + 7:.0f},{top + plot + 8}) rotate(55)">undated</text>'
        )
    parts.append("</svg>")
    note = f'<p class="meta">{len(days) - len(shown)} earlier day(s) not drawn</p>' if len(shown) < len(days) else ""
    return f'<div class="scroll" dir="rtl"><div dir="ltr">{"".join(parts)}</div></div>{note}'


def _iso_day(key: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(key)
    except ValueError:
        return None


def _sources(table: dict[str, dict[str, int]], unknown: dict[str, int], order: list[str], limit: int = 40) -> str:
    """Horizontal stacked bars, the `limit` biggest outlets plus the unknown one; the label column is as
    wide as the longest label, so no name is cut."""
    rows = sorted(table.items(), key=lambda kv: -sum(kv[1].values()))[:limit]
    if unknown:
        rows.append(("unknown outlet", unknown))
    if not rows:
        return ""
    labels = [_visible(key) if len(_visible(key)) <= 64 else _visible(key)[:63] + "…" for key, _ in rows]
    left, row, plot = 12 + 7 * max(len(label) for label in labels), 22, 360
    highest = max(sum(counts.values()) for _, counts in rows) or 1
    parts = [
        f'<svg class="chart" id="chart-sources" role="img" aria-label="topics by source" width="{left + plot + 60}" '
        f'height="{row * len(rows) + 10}">'
    ]
    for i, ((key, counts), label) in enumerate(zip(rows, labels)):
        y, x, total = 5 + i * row, float(left), sum(counts.values())
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" class="lbl" text-anchor="end">{html.escape(label)}'
            f"<title>{_e(key)}</title></text>"
        )
        for topic in order:
            count = counts.get(topic, 0)
            if count:
                w = plot * count / highest
                parts.append(
                    f'<rect class="bar" data-topic="{_e(topic)}" x="{x:.1f}" y="{y}" width="{w:.1f}" '
                    f'height="{row - 6}" '
                    f'fill="{_colour(topic, order)}"><title>{_e(key)} · {_e(topic)}: {count} of {total} '
                    f"({count / total:.0%})</title></rect>"
                )
                x += w
        parts.append(f'<text x="{x + 5:.1f}" y="{y + 14}" class="val">{total}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _link(path: str, url: str, out_dir: Path | None) -> str:
    if url:
        return url
    if not path:
        return ""
    target = Path(path).resolve()
    if out_dir is not None:
        try:
            return Path(os.path.relpath(target, out_dir.resolve())).as_posix()
        except ValueError:
            pass
    return target.as_uri()


def _anchor(link: str, text: str) -> str:
    """A link when its target is safe to open, else the text alone."""
    href = safe_href(link)
    return f'<a href="{_e(href)}">{_e(text)}</a>' if href else _e(text)


def _similarity(value: Any) -> str:
    """A member's cosine to its story's centroid: how surely it belongs there."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ""
    return f' · <span class="sim" title="cosine to the story centroid">similarity {value:.2f}</span>'


def _story_card(story: dict[str, Any], order: list[str], out_dir: Path | None) -> str:
    topic = story["topic"] or "other"
    sources = ", ".join(story["sources"]) or "unknown outlet"
    dates = story["first_date"] or ""
    if story["last_date"] and story["last_date"] != story["first_date"]:
        dates += f" – {story['last_date']}"
    summary = "".join(f"<li>{_e(s)}</li>" for s in story["summary"])
    evidence = "".join(
        f'<div class="evidence"><span class="tag" style="background:{_colour(t, order)}">{_e(t)}</span> why: '
        + " ".join(f"“{_e(s)}”" for s in sentences)
        + "</div>"
        for t, sentences in story.get("why", story["evidence"]).items()
    )
    articles = "".join(
        f"<li>{_anchor(_link(a['path'], a['url'], out_dir), a['title'] or a['id'])}"
        f' <span class="meta">{_e(a["source"] or "unknown outlet")} {_e(a["date"] or "undated")}'
        f"{_similarity(a.get('similarity'))}</span></li>"
        for a in story["articles"]
    )
    all_topics = " ".join(sorted({a["topic"] for a in story["articles"] if a["topic"]} | set(story["topics"])))
    return (
        f'<article class="story" id="{_e(story["id"])}" data-topic="{_e(topic)}" data-topics="{_e(all_topics)}">'
        f'<h3><span class="tag" style="background:{_colour(topic, order)}">{_e(topic)}</span> {_e(story["title"])}</h3>'
        f'<p class="meta">{story["size"]} article{"s" if story["size"] != 1 else ""} · {_e(sources)} · {_e(dates)}</p>'
        f'<ul class="summary">{summary}</ul>{evidence}<details{" open" if story["size"] > 1 else ""}>'
        f"<summary>articles</summary>"
        f"<ul>{articles}</ul></details></article>"
    )


_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#f6f6f4}
header{background:#1d2b36;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#cfd8df}main{padding:18px 28px;max-width:1200px}
.panels{display:flex;flex-wrap:wrap;gap:18px}\
.panel{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 3px #0002}
.panel h2{font-size:16px;margin:0 0 8px}.chart .lbl,.chart .val,.chart .tick{font-size:12px;fill:#333}
.filters{margin:18px 0 10px}\
.filters button{border:1px solid #888;background:#fff;border-radius:14px;padding:4px 12px;\
margin:0 6px 6px 0;cursor:pointer}
.filters button.on{background:#1d2b36;color:#fff}\
.story{background:#fff;border-radius:8px;padding:10px 16px;margin:10px 0;box-shadow:0 1px 3px #0002}
.story h3{margin:4px 0;font-size:17px}.tag{color:#fff;border-radius:4px;padding:1px 7px;font-size:12px;margin-right:4px}
.meta{color:#666;font-size:13px;margin:2px 0}.summary{margin:6px 0 6px 18px;padding:0}\
.evidence{font-size:13px;color:#444;margin:3px 0}
.hidden{display:none}.errors{font-size:13px;color:#933}.sim{color:#357}
.scroll{overflow-x:auto;max-width:1100px}.scroll>div{width:max-content}.panels{margin-top:18px}
"""

_SCRIPT = """
(function(){var buttons=document.querySelectorAll('.filters button');
function show(topic){buttons.forEach(function(b){b.classList.toggle('on',b.dataset.topic===topic)});
var shown=0;document.querySelectorAll('.story').forEach(function(s){\
var on=topic==='all'||s.dataset.topics.split(' ').indexOf(topic)>=0;
s.classList.toggle('hidden',!on);if(on)shown++});document.getElementById('shown').textContent=shown;}
buttons.forEach(function(b){b.addEventListener('click',function(){show(b.dataset.topic)})});
var start=(location.hash.match(/topic=([a-z_-]+)/)||[])[1];show(start||'all');})();
"""


def render_html(data: dict[str, Any], out_dir: Path | None = None, title: str = "nlpkit digest") -> str:
    """The whole page as one string; links to article files are relative to `out_dir` when given."""
    topics: dict[str, int] = data["topics"]
    order = sorted(topics, key=lambda t: (t == "other", -topics[t], t))
    charts = [
        f'<section class="panel"><h2>Topics ({data["articles"]} articles)</h2>{_topic_bars(topics, order)}</section>'
    ]
    undated, unknown = data.get("undated") or {}, data.get("unknown_source") or {}
    if data["by_day"] or undated:
        charts.append(
            f'<section class="panel"><h2>By day (newest right)</h2>{_days(data["by_day"], undated, order)}</section>'
        )
    if data["by_source"] or unknown:
        charts.append(
            f'<section class="panel"><h2>By source</h2>{_sources(data["by_source"], unknown, order)}</section>'
        )
    buttons = '<button data-topic="all" class="on">all</button>' + "".join(
        f'<button data-topic="{_e(t)}">{_e(t)} ({topics[t]})</button>' for t in order
    )
    stories = "".join(_story_card(story, order, out_dir) for story in data["stories"])
    grouped = sum(1 for s in data["stories"] if s["size"] > 1)
    errors = ""
    if data["errors"]:
        items = "".join(f"<li>{_e(e['path'])} [{_e(e['id'])}]: {_e(e['error'])}</li>" for e in data["errors"][:200])
        errors = (
            f'<details class="errors"><summary>{len(data["errors"])} input(s) could not be read</summary>'
            f"<ul>{items}</ul></details>"
        )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>{_e(title)}</h1><p>{data['articles']} articles · {len(data['stories'])} stories "
        f"({grouped} reported by more than one article) · generated {_e(data['generated'])}</p></header><main>"
        f'<nav class="filters" aria-label="filter by topic">{buttons} '
        f'<span class="meta"><span id="shown">{len(data["stories"])}</span> stories shown, newest first</span></nav>'
        f'<div id="stories">{stories}</div><div class="panels">{"".join(charts)}</div>{errors}</main>'
        f"<script>{_SCRIPT}</script></body></html>"
    )
