"""On-disk embedding cache, so a second training run or a sweep skips the encoder entirely.

One `.npy` file per article under `<cache_dir>/<encoder fingerprint[:16]>/<key[:2]>/<key>.npy`: keyed by
the encoder's weights and the article's text, it can never serve vectors from another model or text.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["EmbeddingCache"]

log = logging.getLogger(__name__)


class EmbeddingCache:
    """Article vectors stored by content key for one encoder."""

    def __init__(self, root: Path, encoder_fingerprint: str) -> None:
        self.folder = Path(root) / encoder_fingerprint[:16]
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.npy"

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The cached arrays among `keys`; unreadable entries count as misses and are re-encoded."""
        found: dict[str, np.ndarray] = {}
        for key in keys:
            path = self._path(key)
            if path.is_file():
                try:
                    found[key] = np.load(path)
                except (OSError, ValueError) as error:
                    log.warning("embedding cache entry %s unreadable (%s); re-encoding", path, error)
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def put_many(self, entries: dict[str, np.ndarray]) -> None:
        """Write each array atomically (temp file, then rename), so a killed run leaves no half file."""
        for key, array in entries.items():
            path = self._path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                np.save(stream, array)
            os.replace(temp, path)
