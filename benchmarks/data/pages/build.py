"""Build the extraction page set: articles.txt (+ boilerplate.txt) -> NAME.html in CMS shapes, and gold.jsonl.

Each page wraps one invented article in the furniture a real CMS puts around it (menus, sidebars, cookie
banners, share buttons, "read also" blocks, comments, related lists); gold.jsonl keeps only what a reader
wants: the title, the body paragraphs and the publication date (None when the page shows none).

    python benchmarks/data/pages/build.py        # rewrites the .html files and gold.jsonl in this folder
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class Page:
    name: str
    title: str
    paragraphs: list[str]
    meta: dict[str, str] = field(default_factory=dict)
    times: list[str] = field(default_factory=list)  # live blogs: one time stamp per paragraph
    others: list[str] = field(default_factory=list)  # other pages' titles, for related blocks

    def get(self, key: str) -> str:
        return self.meta.get(key, "")

    @property
    def date(self) -> str | None:
        return self.get("date") or None


def read_pages(path: Path) -> list[Page]:
    pages = []
    for block in path.read_text(encoding="utf-8").split("\n@@ ")[1:]:
        head, _, body = block.partition("\n\n")
        name, *lines = head.splitlines()
        meta = {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}
        paragraphs, times = [], []
        for chunk in body.strip().split("\n\n"):
            text = " ".join(chunk.split())
            stamp = re.match(r"\[(\d\d:\d\d)\] ", text)
            if stamp:
                times.append(stamp.group(1))
                text = text[stamp.end() :]
            paragraphs.append(text)
        pages.append(Page(name.strip(), meta.pop("title"), paragraphs, meta, times))
    titles = [page.title for page in pages]
    for i, page in enumerate(pages):
        page.others = [titles[(i + k) % len(titles)] for k in (3, 7, 11, 13, 17, 19)]
    return pages


def read_boilerplate(path: Path) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    for block in path.read_text(encoding="utf-8").split("\n== ")[1:]:
        key, *lines = block.strip().splitlines()
        lists[key.strip()] = [line for line in lines if line.strip()]
    return lists


BOILER = read_boilerplate(HERE / "boilerplate.txt")
e = html.escape


def linked(text: str, href: str = "/tag/news") -> str:
    """The paragraph with its 3rd-5th words as a link, as editors add them; the text stays the same."""
    words = text.split(" ")
    if len(words) < 8:
        return e(text)
    return f'{e(" ".join(words[:2]))} <a href="{href}">{e(" ".join(words[2:5]))}</a> {e(" ".join(words[5:]))}'


def body_ps(page: Page, attrs: str = "") -> str:
    return "\n".join(f"<p{attrs}>{linked(p) if i == 1 else e(p)}</p>" for i, p in enumerate(page.paragraphs))


def links(titles: list[str], item: str = '<li><a href="/news/{n}">{t}</a></li>') -> str:
    return "\n".join(item.format(n=4100 + i, t=e(t)) for i, t in enumerate(titles))


def comments(n: int, start: int = 0) -> list[str]:
    pool = BOILER["comments"]
    return [pool[(start + i) % len(pool)] for i in range(n)]


def head(page: Page, extra: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{e(page.title)} | {e(page.get('site'))}</title>\n"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="stylesheet" href="/static/css/main.css?v=3.2">\n{extra}'
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}</script>\n"
        "</head>\n"
    )


def jsonld(page: Page) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title,
        "datePublished": page.get("meta") or f"{page.date}T09:00:00+05:00",
        "author": {"@type": "Person", "name": page.get("author")},
        "publisher": {"@type": "Organization", "name": page.get("site")},
    }
    return f'<script type="application/ld+json">{json.dumps(data)}</script>\n'


def cookie_div(cls: str = "cookie-notice") -> str:
    text = " ".join(BOILER["cookie"][:2])
    return (
        f'<div class="{cls}" id="cookie-notice"><div class="cookie-text">{e(text)}</div>'
        '<div class="cookie-buttons"><a class="btn" href="#">Accept all</a> <a class="btn" href="#">Settings</a>'
        "</div></div>\n"
    )


# --- shapes ----------------------------------------------------------------------------------------------


def wordpress(page: Page) -> str:
    variant = page.get("variant")
    extra = jsonld(page) if variant == "jsonld" else ""
    share = ""
    if variant == "jetpack":
        share = (
            '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social">'
            '<h3 class="sd-title">Share this:</h3><div class="sd-content"><ul><li>'
            '<a class="share-twitter" href="#">'
            '<span>Twitter</span></a></li><li><a class="share-facebook" href="#"><span>Facebook</span></a></li>'
            '<li><a class="share-telegram" href="#"><span>Telegram</span></a></li></ul></div></div></div>\n'
            '<div class="sharedaddy sd-block sd-like"><h3 class="sd-title">Like this:</h3>'
            '<div class="likes-widget-placeholder">Like Loading...</div></div>\n'
        )
    if variant == "relatedposts":
        share = (
            '<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">'
            "<em>Related</em></h3>\n"
            + links(
                page.others[:3],
                '<div class="jp-relatedposts-post"><h4><a href="/{n}">{t}</a></h4>'
                '<p class="jp-relatedposts-post-context">In "Economy"</p></div>',
            )
            + "\n</div>\n"
        )
    comment_items = "\n".join(
        f'<li class="comment depth-1" id="comment-{i}"><article class="comment-body"><footer class="comment-meta">'
        f'<div class="comment-author vcard"><b class="fn">{name}</b> <span class="says">says:</span></div>'
        f'<div class="comment-metadata"><a href="#comment-{i}"><time>{page.get("shown")} at 6:{10 + i} pm</time></a>'
        f"</div>"
        f'</footer><div class="comment-content"><p>{e(text)}</p></div><div class="reply">'
        f'<a class="comment-reply-link">Reply</a></div>'
        f"</article></li>"
        for i, (name, text) in enumerate(zip(["Aziz", "Olga K.", "reader77"], comments(3, len(page.name))))
    )
    return (
        head(page, extra)
        + f"""<body class="post-template-default single single-post postid-4812
 single-format-standard">
<div id="page" class="site"><a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title">
<a href="/" rel="home">{e(page.get("site"))}</a></p>
<p class="site-description">Independent news from the region</p></div>
<nav id="site-navigation" class="main-navigation"><button class="menu-toggle">Menu</button>
<ul id="primary-menu" class="menu">
<li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li><li><a href="/economy">Economy</a></li>
<li><a href="/society">Society</a></li><li><a href="/opinion">Opinion</a></li><li><a href="/about">About us</a></li>
</ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-4812" class="post-4812 post type-post status-publish format-standard hentry category-news">
<header class="entry-header"><h1 class="entry-title">{e(page.title)}</h1>
<div class="entry-meta"><span class="posted-on">Posted on <a href="#" rel="bookmark"><time class="entry-date published"
 datetime="{page.date}T09:12:44+05:00">{page.get("shown")}</time></a></span>
<span class="byline"> by <span class="author vcard">
<a class="url fn n" href="/author/">{e(page.get("author"))}</a></span></span></div></header>
<div class="entry-content">
{body_ps(page)}
{share}</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/category/news">News</a></span>
<span class="tags-links">Tagged <a href="/tag/a">Region</a>, <a href="/tag/b">Economy</a></span></footer>
</article>
<nav class="navigation post-navigation"><h2 class="screen-reader-text">Post navigation</h2><div class="nav-links">
<div class="nav-previous"><a href="/p1" rel="prev">
<span class="meta-nav">Previous Post</span> {e(page.others[3])}</a></div>
<div class="nav-next"><a href="/p2" rel="next"><span class="meta-nav">Next Post</span> {e(page.others[4])}</a></div>
</div></nav>
<div id="comments" class="comments-area"><h2 class="comments-title">3 thoughts on &ldquo;{e(page.title)}&rdquo;</h2>
<ol class="comment-list">
{comment_items}
</ol>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes">Your email address
 will not be published. Required fields are marked *</p><p class="comment-form-comment">
<label for="comment">Comment</label>
<textarea id="comment" name="comment"></textarea></p><p class="form-submit">
<input type="submit" value="Post Comment"></p></form></div></div>
</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_search"><form role="search" class="search-form">
<label>Search for:</label><input type="search" class="search-field"></form></section>
<section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul>
{links(page.others[:5])}
</ul></section>
<section class="widget widget_text"><h2 class="widget-title">About us</h2><div class="textwidget">
<p>{e(BOILER["about"][0])}</p></div></section>
<section class="widget widget_archive"><h2 class="widget-title">Archives</h2><ul><li><a href="#">March 2025</a></li>
<li><a href="#">February 2025</a></li><li><a href="#">January 2025</a></li></ul></section></aside>
</div>
<footer id="colophon" class="site-footer">
<div class="site-info">&copy; 2025 {e(page.get("site"))}. Proudly powered by WordPress</div></footer>
</div>
</body>
</html>
"""
    )


def drupal(page: Page) -> str:
    views = ""
    if page.get("variant") == "views":
        views = (
            '<div class="views-element-container block block-views"><h2>Latest news</h2>'
            '<div class="view view-latest-news">'
            '<div class="view-content">\n'
            + links(
                page.others[:4],
                '<div class="views-row">'
                '<div class="views-field views-field-title">'
                '<span class="field-content"><a href="/node/{n}">{t}</a></span>'
                "</div>"
                '<div class="views-field views-field-created">2 days ago</div>'
                "</div>",
            )
            + "\n</div></div></div>\n"
        )
    return (
        head(page)
        + f"""<body class="path-node page-node-type-article">
<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas><div class="layout-container">
<header role="banner"><div class="region region-header"><div id="block-sitebranding" class="block block-system">
<a href="/" rel="home" class="site-branding__name">{e(page.get("site"))}</a></div></div></header>
<div class="region region-primary-menu"><nav role="navigation" id="block-mainnavigation"><ul class="menu">
<li class="menu-item"><a href="/news">News</a></li><li class="menu-item"><a href="/analysis">Analysis</a></li>
<li class="menu-item"><a href="/environment">Environment</a></li><li class="menu-item">
<a href="/business">Business</a></li>
<li class="menu-item"><a href="/contact">Contact</a></li></ul></nav></div>
<div class="region region-breadcrumb"><nav class="breadcrumb" role="navigation"><ol><li><a href="/">Home</a></li>
<li><a href="/news">News</a></li></ol></nav></div>
<main role="main"><a id="main-content" tabindex="-1"></a><div class="layout-content">
<div class="region region-content"><div data-drupal-messages-fallback class="hidden"></div>
<div id="block-pagetitle" class="block block-core block-page-title-block"><h1 class="page-title">
<span class="field field--name-title field--type-string field--label-hidden">{e(page.title)}</span></h1></div>
<div id="block-mainpagecontent" class="block block-system block-system-main-block">
<article role="article" class="node node--type-article node--promoted node--view-mode-full">
<div class="node__meta"><span>Submitted by <span class="field field--name-uid">
<a href="/user/12">{e(page.get("author"))}</a></span>
 on <span class="field field--name-created">{page.get("shown")}</span></span></div>
<div class="node__content">
<div class="field field--name-field-image field--type-image">
<img src="/sites/default/files/2025-03/photo.jpg" alt="Illustration"></div>
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden
 field__item">
{body_ps(page)}
</div>
<div class="field field--name-field-tags field--type-entity-reference field--label-above">
<div class="field__label">Tags</div>
<div class="field__items"><div class="field__item"><a href="/taxonomy/term/3">Environment</a></div>
<div class="field__item"><a href="/taxonomy/term/8">Regions</a></div></div></div>
</div></article></div>
{views}</div></div>
<aside class="layout-sidebar-second" role="complementary"><div class="region region-sidebar-second">
<div class="block block-views"><h2>Most read</h2><div class="item-list"><ul>
{links(page.others[2:6])}
</ul></div></div>
<div class="block block-block-content"><h2>Subscribe</h2><div class="clearfix text-formatted field field--name-body">
<p>Get the morning briefing from {e(page.get("site"))} in your inbox every weekday. It is free and you can
unsubscribe at any time.</p>
</div></div></div></aside>
</main>
<footer role="contentinfo"><div class="region region-footer"><div class="block"><p>&copy; 2025 {e(page.get("site"))}.
{e(BOILER["copyright"][0])}</p></div></div></footer>
</div></div>
</body>
</html>
"""
    )


def divonly(page: Page) -> str:
    variant = page.get("variant")
    if variant == "nosemantic":
        title = f'<div class="news-title">{e(page.title)}</div>'
        text = "<br><br>\n".join(e(p) for p in page.paragraphs)
    else:
        title = f'<h1 class="news-title">{e(page.title)}</h1>'
        text = "\n".join(
            f'<div class="txt">{linked(p) if i == 2 else e(p)}</div>' for i, p in enumerate(page.paragraphs)
        )
    date = '<div class="news-views">1 204 views</div>'
    if page.get("shown"):
        date = f'<div class="news-date">{page.get("shown")}</div>'
    return (
        head(page, f'<meta name="description" content="{e(page.paragraphs[0][:150])}">\n')
        + f"""<body>
{cookie_div() if variant == "cookietop" else ""}<div class="top-bar"><div class="wrap">
<div class="weather">Weather: +18</div>
<div class="currency">USD 12 950 | EUR 14 010 | RUB 142</div><div class="lang">
<a href="/uz">O'zbekcha</a> <a href="/ru">Русский</a></div></div></div>
<div class="logo-row"><div class="logo"><a href="/">{e(page.get("site"))}</a></div>
<div class="menu"><a href="/news">News</a> <a href="/economy">Economy</a> <a href="/society">Society</a> <a
href="/world">World</a>
<a href="/sport">Sport</a> <a href="/photo">Photo</a> <a href="/video">Video</a> <a href="/ads">Advertising</a></div>
</div>
<div class="wrap"><div class="left-col">
<div class="crumbs"><a href="/">Home</a> / <a href="/news">News</a></div>
{title}
{date}
<div class="news-text">
{text}
</div>
<div class="news-tags">Tags: <a href="/tag/1">economy</a> <a href="/tag/2">transport</a></div>
<div class="share">Share: <a href="#">Facebook</a> <a href="#">Telegram</a> <a href="#">VK</a> <a
href="#">WhatsApp</a></div>
<div class="news-more"><div class="block-title">Other news</div>
{links(page.others[:5], '<div class="item"><a href="/news/{n}">{t}</a> <span>yesterday</span></div>')}
</div></div>
<div class="right-col"><div class="block-title">Most popular</div>
{links(page.others[1:5], '<div class="pop"><a href="/news/{n}">{t}</a></div>')}
<div class="banner">Advertisement</div>
<div class="block-title">Our Telegram channel</div><div class="tg">{e(BOILER["telegram"][0])}</div></div></div>
<div class="bottom"><div class="wrap">&copy; 2014-2025 {e(page.get("site"))}. {e(BOILER["copyright"][0])}</div></div>
{cookie_div("cookie-bar cookie-bar--bottom") if variant == "cookiebottom" else ""}</body>
</html>
"""
    )


def cookie(page: Page) -> str:
    banner_text = "".join(f"<p>{e(text)}</p>" for text in BOILER["cookie"])
    if page.get("variant") == "modal":
        banner = (
            f'<div class="gdpr-overlay"><div class="gdpr-modal" role="dialog" aria-modal="true">'
            f"<h2>Your privacy matters to us</h2>"
            f'{banner_text}<div class="gdpr-buttons">'
            f'<a class="btn" href="#">Accept</a> <a class="btn" href="#">Reject</a>'
            f' <a class="btn" href="#">Manage options</a></div></div></div>\n'
        )
        return (
            head(page)
            + f"""<body class="news-page">
{banner}<div class="header"><div class="logo">{e(page.get("site"))}</div><div class="nav">
<a href="/">Main</a> | <a href="/banks">Banks</a> |
 <a href="/rates">Exchange rates</a> | <a href="/credit">Loans</a> | <a href="/calc">Calculators</a></div></div>
<div class="page"><div class="article-head"><h1>{e(page.title)}</h1><div class="meta">{page.get("shown")} &middot;
 {e(page.get("author"))}</div></div>
<div class="article-body">
{body_ps(page)}
</div>
<div class="rates-widget"><div class="widget-title">Exchange rates</div>
<p>USD 87.45 &uarr; EUR 94.10 &darr; RUB 0.98</p></div>
<div class="related"><div class="widget-title">Read
more</div>{links(page.others[:4], '<p><a href="/news/{n}">{t}</a></p>')}</div>
</div><div class="footer">&copy; {e(page.get("site"))} 2025. {e(BOILER["copyright"][0])}</div>
</body>
</html>
"""
        )
    banner = (
        f'<div id="onetrust-consent-sdk"><div class="onetrust-pc-dark-filter ot-fade-in"></div>'
        f'<div id="onetrust-banner-sdk"'
        f' class="otFlat" role="region" aria-label="Cookie banner"><div class="ot-sdk-container">'
        f'<div id="onetrust-policy">'
        f'<h2 id="onetrust-policy-title">We value your privacy</h2>'
        f'<div id="onetrust-policy-text">{e(" ".join(BOILER["cookie"]))}'
        f'</div></div><div id="onetrust-button-group">'
        f'<button id="onetrust-accept-btn-handler">Accept All Cookies</button>'
        f'<button id="onetrust-reject-all-handler">Reject All</button></div></div></div></div>\n'
    )
    return (
        head(page, jsonld(page))
        + f"""<body>
<header class="site-header"><div class="brand"><a href="/">{e(page.get("site"))}</a></div><nav><ul><li>
<a href="/energy">Energy</a></li>
<li><a href="/finance">Finance</a></li><li><a href="/markets">Markets</a></li><li>
<a href="/interviews">Interviews</a></li></ul></nav></header>
<main class="container"><article class="story">
<h1 class="story-title">{e(page.title)}</h1>
<p class="story-meta">By <a href="/authors/1">{e(page.get("author"))}</a> &middot; <time
datetime="{page.date}">{page.get("shown")}</time></p>
<div class="story-body">
{body_ps(page)}
</div>
<div class="newsletter-box"><p>Sign up for Caspian Business Daily, the morning newsletter on energy and markets in
the Caspian region.</p>
<form><input type="email" placeholder="Email"><button>Subscribe</button></form></div>
</article>
<section class="more-stories"><h2>More stories</h2><ul>{links(page.others[:4])}</ul></section></main>
<footer class="site-footer"><p>&copy; 2025 {e(page.get("site"))}. {e(BOILER["copyright"][0])}</p></footer>
{banner}</body>
</html>
"""
    )


def readalso(page: Page) -> str:
    variant = page.get("variant")
    blocks = []
    for i, paragraph in enumerate(page.paragraphs):
        blocks.append(f"<p>{linked(paragraph) if i == 0 else e(paragraph)}</p>")
        other = page.others[i % len(page.others)]
        if i in (1, 3) and variant == "inline":
            blocks.append(f'<p><strong>READ ALSO:</strong> <a href="/news/{4200 + i}">{e(other)}</a></p>')
        elif i in (1, 3) and variant == "boxes":
            blocks.append(
                f'<aside class="related-inline"><h4>Related</h4><ul><li>'
                f'<a href="/news/{4300 + i}">{e(other)}</a></li>'
                f'<li><a href="/news/{4310 + i}">{e(page.others[(i + 2) % 6])}</a></li></ul></aside>'
            )
        elif i in (1, 2) and not variant:
            blocks.append(
                f'<div class="read-also">'
                f'<span class="read-also__label">Read also</span> <a href="/news/{4400 + i}">{e(other)}</a>'
                f"</div>"
            )
    teasers = "\n".join(
        f'<div class="teaser"><h3><a href="/news/{4500 + i}">{e(t)}</a></h3>'
        f"<p>{e(BOILER['comments'][i][:90])}</p></div>"
        for i, t in enumerate(page.others[:3])
    )
    return (
        head(page)
        + f"""<body class="article-page">
<div class="top"><a href="/" class="logo">{e(page.get("site"))}</a><ul class="menu"><li><a href="/city">City</a></li>
<li><a href="/transport">Transport</a></li><li><a href="/business">Business</a></li><li>
<a href="/culture">Culture</a></li></ul></div>
<article class="article"><h1>{e(page.title)}</h1>
<div class="article__info"><span class="article__author">{e(page.get("author"))}</span> <span
class="article__date">{page.get("shown")}</span></div>
<div class="article__body">
{chr(10).join(blocks)}
</div>
<div class="article__share">Share <a href="#">Telegram</a> <a href="#">Facebook</a> <a href="#">X</a></div>
</article>
<div class="you-may-like"><h2>You may also like</h2>
{teasers}
</div>
<div class="footer">{e(BOILER["copyright"][0])}</div>
</body>
</html>
"""
    )


def comments_page(page: Page) -> str:
    items = comments(6, len(page.name))
    if page.get("variant") == "disqus":
        thread = "\n".join(
            f'<div class="comment-item"><div class="comment-author">User{300 + i}</div>'
            f'<div class="comment-time">2 hours ago</div>'
            f'<div class="comment-text">{e(text)}</div>'
            f'<div class="comment-votes">+{i * 3} / -{i}</div></div>'
            for i, text in enumerate(items)
        )
        count = f'<div class="comments-count">{len(items)} comments</div>'
        comment_block = f'<div id="disqus_thread">{count}\n{thread}\n</div>'
        inside, after = "", comment_block
    else:
        thread = "\n".join(
            f'<div class="comment"><div class="comment__head">'
            f"<b>Guest {i + 1}</b> <span>{page.get('shown')}</span></div>"
            f'<p>{e(text)}</p><a class="comment__reply" href="#">Reply</a>'
            f"</div>"
            for i, text in enumerate(items)
        )
        form = '<form class="comment-form"><textarea></textarea><button>Send</button></form>'
        inside = f'<section class="comments"><h3>Comments ({len(items)})</h3>\n{thread}\n{form}</section>'
        after = ""
    return (
        head(page)
        + f"""<body>
<div class="header"><div class="logo"><a href="/">{e(page.get("site"))}</a></div><ul class="nav"><li>
<a href="/news">News</a></li>
<li><a href="/city">City</a></li><li><a href="/opinion">Opinion</a></li><li><a href="/photo">Photo</a></li></ul></div>
<div class="main-wrap"><article class="news-item">
<h1>{e(page.title)}</h1>
<div class="news-item__meta">{page.get("shown")} &middot; {e(page.get("author"))}</div>
<div class="news-item__text">
{body_ps(page)}
</div>
{inside}
</article>
{after}
<div class="sidebar"><h4>Latest</h4><ul>{links(page.others[:5])}</ul></div></div>
<div class="footer">&copy; 2025 {e(page.get("site"))}</div>
</body>
</html>
"""
    )


def live(page: Page) -> str:
    entries = []
    for n, (time, paragraph) in reversed(list(enumerate(zip(page.times, page.paragraphs)))):
        entries.append(
            f'<div class="live-entry" id="entry-{n}"><div class="live-entry__time">'
            f'<time datetime="{page.date}T{time}:00+06:00">'
            f'{time}</time></div><div class="live-entry__body"><p>{e(paragraph)}</p></div>'
            f'<div class="live-entry__share"><a href="#entry-{n}">Share this update</a></div></div>'
        )
    compact = page.get("variant") == "compact"
    extra = f'<meta property="article:published_time" content="{page.date}T{page.times[0]}:00+06:00">\n'
    return (
        head(page, extra)
        + f"""<body class="live-page">
<header><a href="/" class="logo">{e(page.get("site"))}</a><nav><a href="/news">News</a> <a href="/live">Live</a>
 <a href="/video">Video</a></nav></header>
<main><h1>{e(page.title)}</h1>
<div class="live-status"><span class="live-dot">LIVE</span>
{"" if compact else page.get("shown") + " &middot; "}Updated {page.times[-1]}
 <label><input type="checkbox" checked> Auto-refresh</label></div>
<div class="live-feed">
{chr(10).join(entries)}
</div>
<button class="load-more">Load more updates</button>
<aside class="live-related"><h2>Read more on this topic</h2><ul>{links(page.others[:3])}</ul></aside>
</main>
<footer><p>&copy; 2025 {e(page.get("site"))}. {e(BOILER["copyright"][0])}</p></footer>
</body>
</html>
"""
    )


def amp(page: Page) -> str:
    sidebar = ""
    if page.get("variant") == "sidebar":
        sidebar = (
            '<amp-sidebar id="sidebar" layout="nodisplay" side="left"><ul><li><a href="/">Home</a></li><li>'
            '<a href="/azerbaijan">'
            'Azerbaijan</a></li><li><a href="/caspian">Caspian</a></li><li>'
            '<a href="/environment">Environment</a></li>'
            '<li><a href="/business">Business</a></li></ul></amp-sidebar>\n'
        )
    body = []
    for i, paragraph in enumerate(page.paragraphs):
        body.append(f"<p>{e(paragraph)}</p>")
        if i == 1:
            body.append(
                '<amp-ad width="300" height="250" type="doubleclick" data-slot="/1234/article"><div fallback>'
                "Advertisement</div></amp-ad>"
            )
    return f"""<!doctype html>
<html ⚡ lang="en">
<head>
<meta charset="utf-8">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<script async custom-element="amp-ad" src="https://cdn.ampproject.org/v0/amp-ad-0.1.js"></script>
<title>{e(page.title)} - {e(page.get("site"))}</title>
<link rel="canonical" href="https://example.org/news/{page.name}">
<meta name="viewport" content="width=device-width">
{jsonld(page)}<style amp-boilerplate>body{{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both}}</style>
<style amp-custom>.byline{{color:#666}}</style>
</head>
<body>
{sidebar}<header class="amp-header"><button on="tap:sidebar.toggle">Menu</button>
<a href="/">{e(page.get("site"))}</a></header>
<article class="amp-article">
<h1>{e(page.title)}</h1>
<div class="byline">By {e(page.get("author"))} &middot; {page.get("shown")}</div>
<amp-img src="/img/lead.jpg" width="1200" height="675" layout="responsive" alt="Lead photo"></amp-img>
<div class="article-body">
{chr(10).join(body)}
</div>
<amp-social-share type="twitter"></amp-social-share><amp-social-share type="facebook"></amp-social-share>
</article>
<section class="related"><h2>More from {e(page.get("site"))}</h2><ul>{links(page.others[:4])}</ul></section>
<footer><p>&copy; 2025 {e(page.get("site"))}</p><a href="https://example.org/news/{page.name}">View full version</a>
</footer>
<amp-consent id="consent" layout="nodisplay"><div class="consent-ui"><p>{e(BOILER["cookie"][0])}</p>
<button on="tap:consent.accept">Accept</button> <button on="tap:consent.reject">Decline</button></div></amp-consent>
</body>
</html>
"""


def agency(page: Page) -> str:
    variant = page.get("variant")
    items = BOILER["agency_menu"][0].split("|")
    menu = "".join(f'<li><a href="/menu/{i}">{e(item)}</a></li>' for i, item in enumerate(items))
    menu_html = f'<nav class="main-menu"><ul>{menu}</ul></nav>'
    if variant == "ministry":
        menu_html = f'<div class="menu-wrap"><ul class="dropdown">{menu}</ul></div>'
    paragraph_attrs = ' style="text-align: justify;"' if variant in ("", "krai") else ""
    indent = "&nbsp;&nbsp;" if variant == "krai" else ""
    text = "\n".join(f"<p{paragraph_attrs}>{indent}{e(p)}</p>" for p in page.paragraphs)
    return (
        head(page)
        + f"""<body>
<div class="gov-top"><div class="container"><span>Official website of the {e(page.get("site"))}</span>
<a href="/special" class="eye">Version for the visually impaired</a> <span class="langs">
<a href="/kz">Қаз</a> | <a href="/ru">Рус</a> |
 <a href="/en">Eng</a></span></div></div>
<div class="gov-header"><div class="container"><img src="/img/emblem.png" alt="Emblem">
<div class="gov-name">{e(page.get("site"))}</div>
<form class="search"><input type="text" placeholder="Search the site"></form></div></div>
{menu_html}
<div class="container"><div class="row"><div class="col-sidebar"><div class="side-block">
<div class="side-title">Useful links</div>
<ul><li><a href="#">Electronic government portal</a></li><li><a href="#">Legal information system</a></li>
<li><a href="#">Open budgets</a></li><li><a href="#">Hotline of the akim</a></li></ul></div>
<div class="side-block"><div class="side-title">Announcements</div>
<p>Personal reception of citizens by the head of the administration
 will be held on Thursday from 10:00 to 13:00. Registration by phone.</p></div></div>
<div class="col-content"><div class="breadcrumbs">
<a href="/">Main</a> &raquo; <a href="/press">Press centre</a> &raquo; <a href="/news">News</a></div>
<div class="news-view"><h1>{e(page.title)}</h1>
<div class="news-date">{page.get("shown")}</div>
<div class="news-body">
<img src="/upload/news/photo.jpg" alt="">
{text}
</div>
<div class="news-source">Source: {e(page.get("source"))}</div>
<div class="news-views">Views: 412</div><div class="news-print"><a href="?print=Y">Print version</a></div>
<div class="news-other"><div class="side-title">Other news</div><ul>{links(page.others[:4])}</ul></div>
</div></div></div></div>
<div class="gov-footer"><div class="container">
<p>{e(page.get("site"))}. Address: 1 Government Square. Reception: +7 (7212) 00-00-00.</p>
<p>Working hours: Mon-Fri 9:00-18:30, lunch break 13:00-14:30.</p>
<p>&copy; 2025. When using materials, a link to the site is required.</p>
</div></div>
</body>
</html>
"""
    )


def metadate(page: Page) -> str:
    extra = (
        f'<meta property="article:published_time" content="{page.get("meta")}">\n'
        '<meta property="og:type" content="article">\n'
    )
    if page.get("variant") == "jsonld":
        extra += jsonld(page)
    return (
        head(page, extra)
        + f"""<body>
<div id="app"><div class="navbar"><a href="/" class="brand">{e(page.get("site"))}</a><a href="/politics">Politics</a>
<a href="/economy">Economy</a><a href="/energy">Energy</a><a href="/region">Region</a></div>
<div class="content"><article itemscope itemtype="https://schema.org/NewsArticle">
<h1 itemprop="headline">{e(page.title)}</h1>
<div itemprop="articleBody">
{body_ps(page)}
</div>
<div class="tags"><a href="/t/1">industry</a> <a href="/t/2">investment</a></div>
</article>
<div class="recommended"><h2>Recommended</h2>
{links(page.others[:4], '<div class="card"><a href="/a/{n}">{t}</a></div>')}</div>
</div>
<div class="footer">&copy; {e(page.get("site"))}. {e(BOILER["about"][0])}</div></div>
</body>
</html>
"""
    )


def byline(page: Page) -> str:
    if page.get("variant") == "published":
        top = ""
        bottom = f'<div class="meta">Published {page.get("shown")} by <a href="/a">{e(page.get("author"))}</a></div>'
    else:
        top = f'<p class="byline">By {e(page.get("author"))} | {page.get("shown")}</p>'
        bottom = ""
    return (
        head(page)
        + f"""<body>
<div class="masthead"><a href="/">{e(page.get("site"))}</a><ul class="sections"><li><a href="/news">News</a></li>
<li><a href="/regions">Regions</a></li><li><a href="/features">Features</a></li></ul></div>
<div class="story"><h1>{e(page.title)}</h1>
{top}
<div class="story-text">
{body_ps(page)}
</div>
{bottom}
<div class="donate"><p>{e(BOILER["about"][0])}</p><a href="/donate">Support us</a></div>
</div>
<div class="latest"><h3>Latest stories</h3>{links(page.others[:4], '<div><a href="/s/{n}">{t}</a></div>')}</div>
<div class="foot">&copy; 2025 {e(page.get("site"))}</div>
</body>
</html>
"""
    )


def table(page: Page) -> str:
    text = "<br><br>\n".join(e(p) for p in page.paragraphs)
    return f"""<html>
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{e(page.get("site"))} - {e(page.title)}</title></head>
<body bgcolor="#ffffff">
<table width="100%" border="0" cellpadding="0" cellspacing="0"><tr><td><font size="5"><b>{e(page.get("site"))}</b>
</font></td>
<td align="right"><a href="/">Main</a> | <a href="/archive">Archive</a> | <a href="/ads">Advertising</a> | <a
href="/contacts">Contacts</a></td></tr></table>
<table width="100%" border="0"><tr>
<td width="180" valign="top"><b>Sections</b><br><a href="/city">City</a><br><a href="/region">Region</a><br>
<a href="/health">Health</a><br>
<a href="/sport">Sport</a><br><br><b>Poll</b><br>How do you rate city transport?<br><input type="radio"> Good<br>
<input type="radio"> Bad</td>
<td valign="top" class="news"><font size="4"><b>{e(page.title)}</b></font><br>
<font size="2" color="#888888">{page.get("shown")}</font><br><br>
{text}
<br><br><a href="/news">&laquo; Back to news</a></td>
<td width="200" valign="top"><b>Latest news</b><br>{links(page.others[:4], '<a href="/n/{n}">{t}</a><br>')}</td>
</tr></table>
<table width="100%"><tr><td align="center">
<font size="1">&copy; 2003-2025 {e(page.get("site"))}. {e(BOILER["copyright"][0])}</font></td></tr></table>
</body>
</html>
"""


def bitrix(page: Page) -> str:
    text = "<br />\n<br />\n".join(e(p) for p in page.paragraphs)
    return (
        head(page)
        + f"""<body>
<div id="panel"></div>
<div class="header"><div class="logo"><a href="/">{e(page.get("site"))}</a></div><div class="top-menu"><ul>
<li><a href="/news/">News</a></li><li><a href="/companies/">Companies</a></li><li><a href="/industry/">Industry</a></li>
<li><a href="/realty/">Real estate</a></li><li><a href="/events/">Events</a></li></ul></div></div>
<div class="workarea"><div class="news-detail">
<h3>{e(page.title)}</h3>
{text}
<div style="clear:both"></div><br />
</div>
<p><a href="/news/">Back to the news list</a></p>
<div class="news-list"><div class="title">Other news</div>
{links(page.others[:5], '<p class="news-item"><a href="/news/{n}/"><b>{t}</b></a></p>')}
</div>
<div class="reviews"><div class="title">Comments</div>
<p>There are no comments yet. Be the first to comment on this news.</p>
<form><textarea></textarea><input type="submit" value="Send"></form></div></div>
<div class="footer">&copy; {e(page.get("site"))}. {e(BOILER["copyright"][0])}</div>
</body>
</html>
"""
    )


SHAPES: dict[str, Callable[[Page], str]] = {
    "wordpress": wordpress,
    "drupal": drupal,
    "divonly": divonly,
    "cookie": cookie,
    "readalso": readalso,
    "comments": comments_page,
    "live": live,
    "amp": amp,
    "agency": agency,
    "metadate": metadate,
    "byline": byline,
    "table": table,
    "bitrix": bitrix,
}


def main() -> None:
    pages = read_pages(HERE / "articles.txt")
    gold = []
    for page in pages:
        (HERE / f"{page.name}.html").write_text(SHAPES[page.get("shape")](page), encoding="utf-8")
        gold.append(
            {
                "file": f"{page.name}.html",
                "shape": page.get("shape"),
                "title": page.title,
                "paragraphs": page.paragraphs,
                "date": page.date,
            }
        )
    with (HERE / "gold.jsonl").open("w", encoding="utf-8") as out:
        for record in gold:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(pages)} pages written to {HERE}")


if __name__ == "__main__":
    main()
