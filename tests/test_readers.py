import json
import os

import pytest

from nlpkit.data.inbox import discover, language_warning, read_path


def read_one(path, **kwargs):
    records = list(read_path(path, **kwargs))
    assert len(records) == 1
    return records[0]


def test_txt_and_md_take_the_first_line_as_title(tmp_path):
    (tmp_path / "a.txt").write_text("Pipeline opens\n\nGas began to flow on Monday.\n\nIt will carry 10 bcm.")
    record = read_one(tmp_path / "a.txt")
    assert record.title == "Pipeline opens" and record.text.startswith("Gas began") and record.error is None
    (tmp_path / "b.md").write_text(
        "# Bank fined\n\n*By Ann Lee*\n\nThe regulator fined the **bank** for [lax checks](http://x)."
    )
    record = read_one(tmp_path / "b.md")
    assert record.title == "Bank fined" and "The regulator fined the bank for lax checks." in record.text


def test_html_keeps_the_article_and_drops_navigation_and_scripts(tmp_path):
    page = """<html><head><title>Site | Story</title><script>var x = 'Ignore me.';</script></head><body>
    <nav><a href="/">Home</a><a href="/news">News</a></nav><header>The Daily Site</header>
    <article><h1>Court jails banker</h1><p>A court jailed a former banker for fraud on Tuesday.</p>
    <figure><figcaption>Photo: AFP</figcaption></figure><p>He denied the charges.</p></article>
    <aside><h2>Latest news</h2><ul><li>Other headline</li></ul></aside><footer>(c) Site</footer></body></html>"""
    (tmp_path / "p.html").write_text(page)
    record = read_one(tmp_path / "p.html")
    assert record.title == "Court jails banker"
    assert record.text == "A court jailed a former banker for fraud on Tuesday.\n\nHe denied the charges."


def test_json_and_jsonl_with_ids_and_bad_lines(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps({"id": "x1", "title": "T", "text": "Body text here."}))
    assert read_one(tmp_path / "one.json").id == "x1"
    lines = [json.dumps({"id": "a", "text": "First."}), "{not json", json.dumps({"text": "Third."}), json.dumps([1])]
    (tmp_path / "many.jsonl").write_text("\n".join(lines) + "\n")
    records = list(read_path(tmp_path / "many.jsonl"))
    assert [r.id for r in records] == ["a", "line 2", "line 3", "line 4"]
    assert records[0].error is None and records[2].error is None
    assert "line 2: malformed JSON" in records[1].error
    assert "expected an object" in records[3].error


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n \t\n", "empty file"),
        ("bin.txt", b"\x89PNG\x00\x00\x01binary", "binary file"),
        ("broken.json", b'{"text": "unterminated', "malformed JSON"),
        ("notext.json", b'{"title": "only a title"}', "'text'"),
        ("nav.html", b"<html><body><nav>Home | News</nav><script>x()</script></body></html>", "no article text"),
    ],
)
def test_bad_files_become_error_records(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    record = read_one(tmp_path / name)
    assert record.error and message in record.error


def test_non_utf8_is_decoded_with_a_warning(tmp_path):
    (tmp_path / "old.txt").write_bytes("Caf\xe9 owner fined\n\nThe caf\xe9 paid a \xa3500 fine.".encode("latin-1"))
    record = read_one(tmp_path / "old.txt")
    assert record.error is None and "café" in record.text and "decoded as cp1252" in record.warnings[0]


def test_size_limit_permissions_and_broken_symlinks(tmp_path):
    (tmp_path / "big.txt").write_text("Title\n\n" + "word " * 2000)
    assert "over the" in read_one(tmp_path / "big.txt", max_bytes=1000).error
    os.symlink(tmp_path / "gone.txt", tmp_path / "link.txt")
    assert "broken symlink" in read_one(tmp_path / "link.txt").error
    locked = tmp_path / "locked.txt"
    locked.write_text("Title\n\nBody.")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root reads anything: make the check meaningful there too
            pytest.skip("running as a user who can read mode-000 files")
        assert "permission denied" in read_one(locked).error
    finally:
        locked.chmod(0o644)


def test_language_flag():
    assert language_warning("Центральный банк Казахстана сохранил базовую ставку на уровне 16,5 процента.")
    assert language_warning(
        "Die Zentralbank hat den Leitzins unverändert gelassen, teilte die Behörde am Donnerstag mit, "
        "nachdem die Inflation zuletzt wieder gestiegen war und die Märkte eine Senkung erwartet hatten "
        "weil viele Beobachter mit einer Lockerung rechneten"
    )
    assert (
        language_warning("The central bank of Kazakhstan kept its base rate at 16.5 percent, it said on Thursday.")
        is None
    )


def test_discover_walks_sorted_and_skips_hidden(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)] == ["a.txt", "b/z.txt"]


def test_read_bytes_gives_the_records_of_read_path(tmp_path):
    """Spark's binaryFile hands over bytes: parsing them must give exactly what reading the file gives."""
    from nlpkit.data.inbox import read_bytes

    files = {
        "a.txt": b"Title\n\nBody text of the story.",
        "b.md": b"# Head\n\nSome *text*.",
        "c.html": b"<p>only nav</p>",
        "d.json": b'{"id": "x", "text": "T"}',
        "e.jsonl": b'{"text": "one"}\nnot json\n',
        "f.txt": b"bin\x00ary",
        "g.txt": b"caf\xe9 au lait, said the barista to the customer at the counter.",
        "h.txt": b"   \n",
    }
    for name, raw in files.items():
        (tmp_path / name).write_bytes(raw)
        assert list(read_bytes(str(tmp_path / name), raw)) == list(read_path(tmp_path / name))
    remote = list(read_bytes("hdfs://namenode/feed/a.txt", files["a.txt"]))
    assert remote[0].path == "hdfs://namenode/feed/a.txt" and remote[0].id == "a"


def test_iter_inputs_is_the_one_walk_with_every_skip_rule(tmp_path):
    from nlpkit.data.inbox import iter_inputs

    (tmp_path / "a.txt").write_text("Title\n\nA body about the central bank.")
    (tmp_path / "picture.png").write_bytes(b"\x89PNG")
    (tmp_path / "digest.json").write_text('{"text": "our own output"}')
    (tmp_path / "old.jsonl").write_text(
        json.dumps({"sha256": "", "topic": None, "scores": {}, "summary": [], "error": None}) + "\n"
    )
    skipped: dict[str, str] = {}
    records = list(
        iter_inputs(
            tmp_path,
            exclude=[tmp_path / "digest.json", None],
            on_skip=lambda path, reason: skipped.setdefault(path.name, reason),
        )
    )
    assert [r.id for r in records] == ["a"]
    assert skipped["picture.png"].startswith("not a supported format")
    assert skipped["digest.json"] == "the output file of this run"
    assert "nlpkit output file" in skipped["old.jsonl"]
