"""nlpkit on Apache Spark: read a folder of articles and predict it with one model per Python worker.

    from nlpkit.engines import spark as nlpkit_spark

    spark = nlpkit_spark.session("local[2]")                       # or spark://host:7077, or spark-submit's own
    articles = nlpkit_spark.read_folder(spark, "feed/")            # path, id, title, text, error, warnings, language
    nlpkit_spark.predict(articles, "models:/nlpkit-news@champion").write.parquet("out.parquet")

`read_folder` lists the folder like `python -m nlpkit.predict` (sorted, recursive, hidden entries skipped,
the same supported suffixes), reads file contents with Spark's `binaryFile` source and parses them with
nlpkit's own readers, so every format and every bad input (empty, binary, malformed JSON, no article text,
over the size limit, broken symlink) gives the same record with `error` as `nlpkit.predict`. Files that
`binaryFile` never returns (empty files, names starting with `_`, broken symlinks, files over the limit)
are read on the driver, which has the listing.

`predict` runs `mapInPandas`: each Python worker loads the model once (a module-level cache) and predicts
Arrow batches of at most `batch_size` rows with the same streaming code as `nlpkit.predict`; the output
columns are exactly the JSONL record (`OUTPUT_SCHEMA`, from `Prediction`'s fields). `predict_folder` is
what `python -m nlpkit.predict --engine spark` runs: both steps fused, written to Parquet.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from nlpkit.batch import BatchStats, model_fingerprint, predict_stream
from nlpkit.data.fields import INPUT_FIELDS, MISSING_TEXT, OUTPUT_FIELDS, row_record, spark_schema
from nlpkit.data.inbox import DEFAULT_MAX_BYTES, InputRecord, input_files, read_bytes, read_path, size_problem
from nlpkit.data.inbox.formats import SUPPORTED_SUFFIXES
from nlpkit.prediction import PREDICTION_FIELDS

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.broadcast import Broadcast
    from pyspark.sql import DataFrame, SparkSession

    from nlpkit.model import NewsModel

__all__ = [
    "OUTPUT_SCHEMA",
    "INPUT_SCHEMA",
    "MISSING_TEXT",
    "session",
    "read_folder",
    "predict",
    "predict_folder",
    "model_loads",
]

log = logging.getLogger(__name__)

#: The JSONL record of `nlpkit.predict` (`Prediction`'s fields), as a Spark DDL schema: same names, same order.
OUTPUT_SCHEMA = spark_schema(OUTPUT_FIELDS)
#: What `read_folder` returns and `predict` takes (only `text` is required by `predict`).
INPUT_SCHEMA = spark_schema(INPUT_FIELDS)

DEFAULT_BATCH_SIZE = 64
INPUT_COLUMNS = [field.name for field in INPUT_FIELDS]
#: A folder: each Python worker profiles its batches (cProfile, CPU time) and writes a pstats file there.
PROFILE_ENV = "NLPKIT_SPARK_PROFILE"
_MODELS: dict[str, Any] = {}
_LOADS: list[dict[str, Any]] = []


def session(master: str | None = "local[2]", app_name: str = "nlpkit", **conf: str) -> SparkSession:
    """A SparkSession whose Python workers run this interpreter, offline, with the Spark UI off."""
    from pyspark.sql import SparkSession

    logging.getLogger("py4j").setLevel(logging.WARNING)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if master and master.startswith("local"):
        _workers_import_this_nlpkit()
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.executorEnv.HF_HUB_OFFLINE": "1",
        "spark.executorEnv.TOKENIZERS_PARALLELISM": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # Articles are a few KB: Spark's default 4 MB "open cost" per file makes one task per ~32 files, and
        # each task costs Python round trips and an output file. 64 KB packs a partition with ~1,000 of them.
        "spark.sql.files.openCostInBytes": str(64 * 1024),
    }
    settings.update(conf)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _workers_import_this_nlpkit() -> None:
    """Local Python workers start from the driver's environment: put this nlpkit first on their path.

    Otherwise a worker started in another folder imports whichever nlpkit is installed (or a source tree
    in its working folder), not the one the driver runs. On a cluster, ship the wheel instead (README).
    """
    import nlpkit

    source_root = str(Path(nlpkit.__file__).resolve().parents[1])
    paths = [part for part in os.environ.get("PYTHONPATH", "").split(os.pathsep) if part]
    if source_root not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([source_root, *paths])


# --- reading ------------------------------------------------------------------------------------------


def _is_local(path: str) -> bool:
    """A path on this machine: no URI scheme, or `file:`."""
    scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]+):", path)
    return scheme is None or scheme.group(1).lower() == "file"


def _local_path(path: str) -> str:
    if path.startswith("file://"):
        return path[len("file://") :]
    if path.startswith("file:"):
        return path[len("file:") :]
    return path


def _listing(spark: SparkSession, path: str) -> list[tuple[str, str, int]]:
    """(name shown in records, URI Spark reports, size or -1) for every supported file under `path`, sorted."""
    if _is_local(path):
        return [
            (str(file), "file:" + os.path.abspath(file), file.stat().st_size if file.is_file() else -1)
            for file in input_files(Path(_local_path(path)))
        ]
    jvm: Any = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    fs = hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    hadoop_path = fs.makeQualified(hadoop_path)  # hdfs://nn/feed -> hdfs://nn:8020/feed, as the listing reports it
    files = []
    iterator = fs.listFiles(hadoop_path, True)
    while iterator.hasNext():
        status = iterator.next()
        uri = status.getPath().toString()
        relative = uri[len(hadoop_path.toString()) :]
        if any(part.startswith(".") for part in relative.split("/") if part):
            continue
        if os.path.splitext(uri)[1].lower() not in SUPPORTED_SUFFIXES:
            continue
        files.append((uri, uri, int(status.getLen())))
    return sorted(files)


def _read_records(frames: Iterator[pd.DataFrame], names: Broadcast[dict[str, str]]) -> Iterator[list[InputRecord]]:
    """binaryFile rows (path, content) -> the article records of each Arrow batch, parsed by nlpkit's readers.

    These are finished records (cleaned, language noted), exactly what `nlpkit.predict` hands to `predict_stream`:
    the fused path predicts them as they are; `row_record` on them again would detect the language twice.
    """
    for frame in frames:
        records: list[InputRecord] = []
        for uri, content in zip(frame["path"], frame["content"]):
            name = names.value.get(uri)
            if name is None:  # outside the listing (e.g. reached through a symlinked folder)
                continue
            records.extend(read_bytes(name, bytes(content)))
        yield records


def _read_rows(frames: Iterator[pd.DataFrame], names: Broadcast[dict[str, str]]) -> Iterator[pd.DataFrame]:
    """mapInPandas: binaryFile rows (path, content) -> article records (`INPUT_SCHEMA`)."""
    for records in _read_records(frames, names):
        yield _object_frame([_record_row(record) for record in records], INPUT_COLUMNS)


def _object_frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A frame of object columns built column by column: cheaper than pandas' per-row dict path."""
    import pandas as pd

    return pd.DataFrame(
        {name: pd.Series([row[name] for row in rows], dtype=object) for name in columns}, columns=columns
    )


def _record_row(record: InputRecord) -> dict[str, Any]:
    return {
        "path": record.path,
        "id": record.id,
        "title": record.title,
        "text": record.text,
        "error": record.error,
        "warnings": list(record.warnings),
        "language": record.language,
    }


def _driver_rows(name: str, uri: str, size: int, max_bytes: int) -> list[dict[str, Any]]:
    """Records for a listed file that binaryFile did not return, read or explained on the driver."""
    if _is_local(uri):
        return [_record_row(record) for record in read_path(Path(name), max_bytes)]
    stem = os.path.splitext(os.path.basename(uri))[0]
    problem = size_problem(size, max_bytes)
    if problem:
        return [_record_row(InputRecord(name, stem, error=problem))]
    if size == 0:
        return [_record_row(record) for record in read_bytes(name, b"")]
    return [
        _record_row(
            InputRecord(name, stem, error="not returned by Spark's binaryFile source (a name starting with _?)")
        )
    ]


def _scan(
    spark: SparkSession, path: str, max_bytes: int
) -> tuple[DataFrame | None, Broadcast[dict[str, str]] | None, list[dict[str, Any]]]:
    """(binaryFile rows with path and content, broadcast URI -> shown name, records read on the driver)."""
    from pyspark.sql import functions as F

    listing = _listing(spark, path)
    if not listing:
        return None, None, []
    root = os.path.abspath(_local_path(path)) if _is_local(path) else path
    reader = spark.read.format("binaryFile")
    if Path(root).is_dir() or not _is_local(path):
        reader = reader.option("recursiveFileLookup", "true")
    files = reader.load(root).filter(F.col("length") <= max_bytes)
    names = {uri: name for name, uri, _ in listing}
    seen = {row.path for row in files.select("path").collect()}  # column pruning: no content is read here
    missing = [
        row for name, uri, size in listing if uri not in seen for row in _driver_rows(name, uri, size, max_bytes)
    ]
    return files.select("path", "content"), spark.sparkContext.broadcast(names), missing


def read_folder(spark: SparkSession, path: str | os.PathLike[str], max_bytes: int | None = None) -> DataFrame:
    """Article records for every supported file under `path` (local, `file:`, `hdfs://`, `s3a://`...).

    Columns: path, id, title, text, error, warnings, language (`INPUT_SCHEMA`); one row per article (a `.jsonl` file
    gives one per line), with the same values, errors included, as `python -m nlpkit.predict` reads.
    """
    files, names, missing = _scan(spark, os.fspath(path), DEFAULT_MAX_BYTES if max_bytes is None else max_bytes)
    if files is None:
        return spark.createDataFrame([], INPUT_SCHEMA)
    records = files.mapInPandas(lambda frames: _read_rows(frames, names), INPUT_SCHEMA)
    if missing:
        records = records.unionByName(spark.createDataFrame(missing, INPUT_SCHEMA))
    return records


# --- predicting ---------------------------------------------------------------------------------------


def _local_model(model_uri: str) -> str:
    """A local folder holding the model: a bundle folder as is, an MLflow URI downloaded on the driver."""
    if Path(model_uri).is_dir():
        return str(Path(model_uri).resolve())
    from nlpkit.tracking import flavor as tracking_flavor

    return tracking_flavor.download_model(model_uri)


def _load(folder: str) -> NewsModel:
    """The NewsModel in a folder, loaded once per Python worker (module-level cache)."""
    model = _MODELS.get(folder)
    if model is None:
        started = time.perf_counter()
        if (Path(folder) / "MLmodel").is_file():
            from nlpkit.tracking import flavor as tracking_flavor

            model = tracking_flavor.load_news_model(folder)
        else:
            from nlpkit.model import NewsModel

            model = NewsModel.load(folder)
        _MODELS[folder] = model
        _LOADS.append({"pid": os.getpid(), "seconds": round(time.perf_counter() - started, 2)})
        log_file = os.environ.get("NLPKIT_SPARK_LOAD_LOG")
        if log_file:
            with open(log_file, "a", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()} {time.perf_counter() - started:.2f}\n")
    return model


def model_loads() -> list[dict[str, Any]]:
    """Model loads in this process (pid, seconds): in a worker, one per model folder."""
    return list(_LOADS)


def _predict_rows(
    frames: Iterator[pd.DataFrame], folder: str, shipped: bool, batch_size: int, n_sentences: int | None
) -> Iterator[pd.DataFrame]:
    """mapInPandas: article records -> output records, with the same code as `nlpkit.predict`."""
    batches = (
        [row_record(row, index) for index, row in enumerate(frame.to_dict(orient="records"))] for frame in frames
    )
    return _predict_batches(batches, folder, shipped, batch_size, n_sentences)


def _predict_batches(
    batches: Iterator[list[InputRecord]], folder: str, shipped: bool, batch_size: int, n_sentences: int | None
) -> Iterator[pd.DataFrame]:
    """Input records, a list per Arrow batch -> one output frame (`OUTPUT_SCHEMA`) per batch."""
    import pandas as pd

    if shipped:
        from pyspark import SparkFiles

        folder = SparkFiles.get(folder)
    model = _load(folder)
    fingerprint = model_fingerprint(model)  # the same `model` field as nlpkit.predict's records
    stats = BatchStats()
    for records in batches:
        out = list(predict_stream(model, records, stats, batch_size, n_sentences, fingerprint=fingerprint))
        # Column by column from the dataclasses: `Prediction.to_dict` (asdict) deep-copies every record.
        yield pd.DataFrame(
            {name: pd.Series([getattr(p, name) for p in out], dtype=object) for name in PREDICTION_FIELDS},
            columns=PREDICTION_FIELDS,
        )


def _profiled(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """With NLPKIT_SPARK_PROFILE set, run each batch under cProfile and dump the stats when the task ends.

    The timer is CPU time (`time.process_time`), not PySpark's own UDF profiler's wall clock, which on a
    shared machine counts the waits for a core. Unset, the batches pass through untouched.
    """
    folder = os.environ.get(PROFILE_ENV)
    if not folder:
        yield from batches
        return
    import cProfile
    import uuid

    profiler = cProfile.Profile(time.process_time)
    try:
        while True:
            profiler.enable()
            try:
                batch = next(batches)
            except StopIteration:
                return
            finally:
                profiler.disable()
            yield batch
    finally:
        os.makedirs(folder, exist_ok=True)
        profiler.dump_stats(os.path.join(folder, f"worker-{os.getpid()}-{uuid.uuid4().hex[:8]}.pstats"))


def _prepare_model(spark: SparkSession, model_uri: str, batch_size: int) -> tuple[str, bool]:
    """Resolve the model on the driver; on a cluster ship it to the executors. Returns (folder, shipped)."""
    folder = _local_model(model_uri)
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_size))
    shipped = not (spark.sparkContext.master or "").startswith("local")
    if shipped:  # addFile refuses folders on a cluster: ship a zip, which every executor unpacks once
        import atexit
        import shutil
        import tempfile
        import uuid

        scratch = tempfile.mkdtemp(prefix="nlpkit-model-")
        atexit.register(shutil.rmtree, scratch, True)  # the driver keeps the zip until it exits
        base = os.path.join(scratch, f"nlpkit-model-{uuid.uuid4().hex[:12]}")
        archive = shutil.make_archive(base, "zip", root_dir=folder)
        spark.sparkContext.addArchive(archive)
        folder = os.path.basename(archive)
    return folder, shipped


def predict(
    df: DataFrame, model_uri: str, batch_size: int = DEFAULT_BATCH_SIZE, n_sentences: int | None = None
) -> DataFrame:
    """Predict a DataFrame with a `text` column (and optional `id`, `title`, `path`, `error`, `warnings`).

    `model_uri` is a bundle folder or an MLflow model URI (`runs:/…`, `models:/name@alias`); it is resolved
    on the driver and shipped to the executors, and each Python worker loads it once. Arrow batches are
    capped at `batch_size` rows. Returns a DataFrame with `OUTPUT_SCHEMA`: the JSONL record.
    """
    folder, shipped = _prepare_model(df.sparkSession, model_uri, batch_size)
    return df.mapInPandas(lambda frames: _predict_rows(frames, folder, shipped, batch_size, n_sentences), OUTPUT_SCHEMA)


def predict_folder(
    spark: SparkSession,
    source: str,
    model_uri: str,
    output: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    n_sentences: int | None = None,
    max_bytes: int | None = None,
) -> BatchStats:
    """`nlpkit.predict --engine spark`: read `source`, predict, write Parquet to `output`; return the counts.

    The same records as `predict(read_folder(...))`, with reading and predicting fused into one
    `mapInPandas` (one Python worker per task instead of two, one Arrow round trip fewer).
    """
    from pyspark.sql import functions as F

    tracking: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
    if not Path(model_uri).is_dir():
        from nlpkit.tracking import flavor as tracking_flavor
        from nlpkit.tracking.store import Tracker

        if not tracking_flavor.is_model_uri(model_uri):
            from nlpkit.errors import BundleError

            raise BundleError(f"{model_uri} is neither a bundle folder nor an MLflow model URI")
        tracking = Tracker.from_environment().active()
    files, names, missing = _scan(spark, source, DEFAULT_MAX_BYTES if max_bytes is None else max_bytes)
    with tracking:
        folder, shipped = _prepare_model(spark, model_uri, batch_size)
    result = spark.createDataFrame([], OUTPUT_SCHEMA)
    if files is not None:
        result = files.mapInPandas(
            lambda frames: _profiled(
                _predict_batches(_read_records(frames, names), folder, shipped, batch_size, n_sentences)
            ),
            OUTPUT_SCHEMA,
        )
    if missing:
        extra = spark.createDataFrame(missing, INPUT_SCHEMA)
        result = result.unionByName(
            extra.mapInPandas(
                lambda frames: _predict_rows(frames, folder, shipped, batch_size, n_sentences), OUTPUT_SCHEMA
            )
        )
    result.write.parquet(output)
    stats = BatchStats()
    # One pass over the written Parquet, not three: counts by (no error, topic).
    for row in spark.read.parquet(output).groupBy(F.col("error").isNull().alias("ok"), "topic").count().collect():
        stats.read += row["count"]
        if row["ok"]:
            stats.topics[row["topic"]] = row["count"]
        else:
            stats.failed += row["count"]
    stats.predicted = stats.read - stats.failed
    return stats
