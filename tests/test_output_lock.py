"""The output lock leaves nothing behind: the hidden `.NAME.lock` goes when the writer closes."""

from __future__ import annotations

import pytest

from nlpkit.data.output import lock_path, open_writer
from nlpkit.errors import DataError


def test_the_lock_file_is_removed_when_the_writer_closes_and_a_rival_still_fails(tmp_path):
    out = tmp_path / "out.jsonl"
    first = open_writer(out, ["id"], resume=False)
    assert lock_path(out).is_file()
    with pytest.raises(DataError, match="being written by another"):
        open_writer(out, ["id"], resume=False)
    assert lock_path(out).is_file()  # the refused rival does not remove the holder's lock
    first.write({"id": "a"})
    first.close()
    assert not lock_path(out).exists() and sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    again = open_writer(out, ["id"], resume=False)  # a later run locks afresh
    again.close()
    assert not lock_path(out).exists()
