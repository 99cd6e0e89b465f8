"""`python -m benchmarks speed`: how fast nlpkit is against its encoder's limit, in default and fast mode.

    python -m benchmarks speed                       # 256 CNN/DailyMail articles, JSON + MLflow run
    python -m benchmarks speed --limit 64 --memory-default 128 --memory-fast 1000 --no-mlflow   # a quick look
    python -m benchmarks speed --retrain-only --modes default        # only the cold/warm retrain measurement
    python -m benchmarks speed --settings-only --articles 100 --no-mlflow   # only encoder backend x precision

On the same real articles (../shared/benchmarks/summaries/cnn_dailymail.jsonl, or the seed corpus when
../shared is absent) it measures, for the default bundle (MiniLM) and the fast bundle (static model2vec
vectors distilled from it, configs/fast.yaml):
- retraining as a user runs it: `python -m nlpkit.train` as a NEW process, first with an empty embedding
  cache (cold), then again with the cache that run filled (warm), into a temporary MLflow store and models
  folder; wall and CPU seconds of each child. The warm run's bundle is the one measured below;
- end-to-end `NewsModel.predict` articles/s from raw text (parsing, encoding, classification, summary), in
  batches of 64, and the bare encoder's time on the very same sentences (the limit; the ratio is our overhead);
- macro-F1 on both topic dev sets (worse of the two) and ROUGE-1 on the first 300 BBC articles;
- peak RSS of a fresh process predicting 10,000 articles (fast) or --memory-default articles (default);
- every encoder backend x precision this machine runs (`--articles`, 100 by default; bf16 is skipped, with
  the reason, on a CPU that only emulates it): articles/s, CPU-s per article and cosine to fp32, against
  bare fp32 `SentenceTransformer.encode` on the same sentences (`--settings-only` measures just this).
The runner writes speed.json and speed.md and an MLflow run in "nlpkit-benchmarks", and prints the table.
Targets (from `common.TARGETS`) are reported, not asserted. The benchmark data is only read, never trained on.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from tqdm import tqdm

from benchmarks.common import (
    DEFAULT_CACHE,
    DEFAULT_SHARED,
    REPO,
    BenchmarkError,
    TargetResult,
    check,
    load_average,
    machine_info,
    raw_items,
    read_records,
    topic_sets,
    utc_now,
    worse_of_two,
)
from benchmarks.probes import BATCH_ARTICLES, child_result, peak_rss_mb
from benchmarks.report import Report, flat_metrics

BBC_LIMIT = 300
MODES = ("default", "fast")
CONFIGS = {"default": REPO / "configs" / "default.yaml", "fast": REPO / "configs" / "fast.yaml"}

log = logging.getLogger("benchmarks.speed")


@dataclass(frozen=True)
class Sources:
    """Where each measurement reads its articles; bbc is None and topics False without ../shared."""

    speed: Path
    speed_label: str
    shared: Path
    topics: bool
    bbc: Path | None


@dataclass
class Retrain:
    """One `python -m nlpkit.train` child process: its wall and CPU time and what it printed."""

    wall_seconds: float
    cpu_seconds: float
    stdout: str


@dataclass
class RetrainReport:
    """Cold then warm retrain of one mode, each a new process; `speedup` is cold wall / warm wall."""

    cold: Retrain
    warm: Retrain
    bundle: str

    @property
    def speedup(self) -> float:
        return self.cold.wall_seconds / self.warm.wall_seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "cold": asdict(self.cold),
            "warm": asdict(self.warm),
            "bundle": self.bundle,
            "speedup": self.speedup,
            "cpu_speedup": self.cold.cpu_seconds / self.warm.cpu_seconds,
        }


# --- inputs -------------------------------------------------------------------------------------------


def find_sources(shared: Path) -> Sources:
    """The real benchmarks under `shared`, or the seed corpus (for speed only) when they are absent."""
    cnn = shared / "benchmarks" / "summaries" / "cnn_dailymail.jsonl"
    if cnn.is_file():
        bbc = shared / "benchmarks" / "summaries" / "bbc_news_summary.jsonl"
        topics = (shared / "benchmarks" / "topics" / "regional-dev.jsonl").is_file()
        return Sources(cnn, "CNN/DailyMail validation", shared, topics, bbc if bbc.is_file() else None)
    log.warning("%s not found; measuring speed on the seed corpus and quality on its test split", cnn)
    return Sources(REPO / "seeds" / "articles.jsonl", "seed corpus", shared, False, None)


def batches(items: Sequence[Any], size: int = BATCH_ARTICLES) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


# --- machine and memory -------------------------------------------------------------------------------


def torch_info() -> dict[str, Any]:
    import torch

    return {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}


# --- fast encoder --------------------------------------------------------------------------------------


def _config_settings(path: Path) -> dict[str, Any]:
    """A config file's settings over the defaults, unvalidated: its paths are resolved (and its encoder
    distilled) before `load_config` checks that they exist."""
    from nlpkit.training.config import DEFAULTS, read_config_file

    return {**DEFAULTS, **read_config_file(Path(path))}


def fast_config_drift() -> list[str]:
    """Settings besides the encoder and the topic head's tuned ones in which fast.yaml differs from default.yaml."""
    default, fast = _config_settings(CONFIGS["default"]), _config_settings(CONFIGS["fast"])
    tuned = ("embed__model", "pool__", "clf__")
    drift = sorted(
        key for key in set(default) | set(fast) if not key.startswith(tuned) and default.get(key) != fast.get(key)
    )
    if drift:
        log.warning(
            "configs/fast.yaml differs from configs/default.yaml in %s: the modes differ in more than the encoder",
            drift,
        )
    return drift


def ensure_fast_encoder(config_path: Path) -> tuple[Path, float | None]:
    """The fast config's encoder folder, distilled now (and timed) if it does not exist yet."""
    from nlpkit.embedding.distill import distill_encoder

    folder = Path(_resolve(str(_config_settings(config_path)["embed__model"])))
    if folder.is_dir():
        return folder, None
    log.info("fast encoder %s missing; distilling it (python -m nlpkit.distill)", folder)
    started = time.perf_counter()
    distill_encoder("default", 256, folder)
    return folder, time.perf_counter() - started


def _resolve(value: str) -> str:
    """Config paths are relative to the repository, so the benchmark runs from any directory."""
    return value if value == "default" or Path(value).is_absolute() else str(REPO / value)


# --- retraining as a new process ----------------------------------------------------------------------


def train_command(mode: str, work: Path, cache: Path) -> list[str]:
    """`python -m nlpkit.train` as a user types it, with every output in `work`."""

    config = _config_settings(CONFIGS[mode])
    overrides = {key: _resolve(str(config[key])) for key in ("data", "splits", "embed__model")}
    overrides.update(models_dir=str(work / f"models-{mode}"), cache_dir=str(cache), experiment="nlpkit-speed-training")
    sets = [item for key, value in overrides.items() for item in ("--set", f"{key}={value}")]
    return [sys.executable, "-m", "nlpkit.train", "--config", str(CONFIGS[mode]), *sets, "--quiet"]


def run_child(command: list[str], env: dict[str, str]) -> Retrain:
    """Run one child to the end; its CPU time comes from the children's rusage."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(command[:3])} failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Retrain(wall, cpu, done.stdout)


def measure_retrain(mode: str, work: Path) -> RetrainReport:
    """Cold (empty cache) then warm (the cache it filled) retrain, each a new process, tracked in a temporary store."""
    cache = work / f"cache-{mode}"
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{work / 'mlflow.db'}"}
    command = train_command(mode, work, cache)
    cold = run_child(command, env)
    log.info("retrain %s, cold cache, new process: %.1f s wall, %.1f s CPU", mode, cold.wall_seconds, cold.cpu_seconds)
    warm = run_child(command, env)
    log.info("retrain %s, warm cache, new process: %.1f s wall, %.1f s CPU", mode, warm.wall_seconds, warm.cpu_seconds)
    return RetrainReport(cold, warm, str((work / f"models-{mode}" / "latest").resolve()))


# --- throughput ---------------------------------------------------------------------------------------


def bare_encode(model: Any) -> Callable[[list[str]], Any]:
    """The encoder library's own encode call, with the settings our encoder passes it."""
    if not model.encoder.loaded:  # the weights load on the first cache miss; this needs them now
        model.encoder.encode_texts(["warm-up"])
    encoder, backend = model.encoder, model.encoder.backend_  # bound now: never the timing wrapper below
    if encoder.kind_ == "model2vec":
        return lambda texts: backend.encode(texts, batch_size=max(encoder.batch_size, 1024))
    return lambda texts: backend.encode(
        texts, batch_size=encoder.batch_size, convert_to_numpy=True, show_progress_bar=False
    )


class TimedBackend:
    """Wraps the encoder library's model and adds up the time spent in its `encode`, so our own overhead
    inside `predict` (everything else) is measured directly, whatever else the machine is doing."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.seconds = 0.0

    def encode(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.backend.encode(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


@contextlib.contextmanager
def timed_backend(model: Any) -> Iterator[TimedBackend]:
    original = model.encoder.backend_
    model.encoder.backend_ = timed = TimedBackend(original)
    try:
        yield timed
    finally:
        model.encoder.backend_ = original


def chunk_texts(model: Any, chunk: Sequence[dict]) -> list[str]:
    """Exactly the strings `predict` sends to the encoder for these articles (title first, then sentences)."""
    from nlpkit.model import as_article

    texts: list[str] = []
    for index, item in enumerate(chunk):
        article = as_article(item, index)
        texts.extend(([article.title] if article.title else []) + article.texts)
    return texts


def measure_throughput(model: Any, items: Sequence[dict], mode: str, min_seconds: float) -> dict[str, Any]:
    """End-to-end predict vs the bare encoder on the same sentences, interleaved batch by batch.

    Alternating the two (and their order) spreads any load from other processes evenly over both; passes
    over the articles repeat until the end-to-end side has run `min_seconds` (the fast mode needs several).
    Inside predict, the time in the encoder library's call is also clocked, so our overhead is measured
    directly as well (that figure does not depend on the two runs seeing the same machine load).
    """
    chunks = batches(items)
    texts = [chunk_texts(model, chunk) for chunk in chunks]
    encode = bare_encode(model)
    model.predict(chunks[0])  # warm-up on a whole batch: the first call at each tensor shape allocates,
    encode(texts[0])  # and whichever side ran first would otherwise pay for both
    totals = dict.fromkeys(("e2e_wall", "e2e_cpu", "encoder_wall", "encoder_cpu", "articles", "sentences"), 0.0)
    ratios: list[float] = []
    with tqdm(desc=f"throughput {mode}", unit="article", leave=False) as bar, timed_backend(model) as inside:
        while totals["articles"] == 0 or totals["e2e_wall"] < min_seconds:
            for index, (chunk, sentences) in enumerate(zip(chunks, texts)):
                steps: dict[str, Callable[[], Any]] = {
                    "e2e": partial(model.predict, chunk),
                    "encoder": partial(encode, sentences),
                }
                seconds = _timed_steps(steps, totals, reverse=index % 2 == 1)
                ratios.append(seconds["e2e"] / seconds["encoder"])
                totals["articles"] += len(chunk)
                totals["sentences"] += len(sentences)
                bar.update(len(chunk))
    return {
        **_throughput_row(totals),
        **_overhead_row(totals["e2e_wall"], inside.seconds),
        "e2e_over_encoder_median_batch": float(statistics.median(ratios)),
        "e2e_over_encoder_by_batch": [round(ratio, 4) for ratio in ratios[:64]],
    }


def _timed_steps(steps: dict[str, Callable[[], Any]], totals: dict[str, float], reverse: bool) -> dict[str, float]:
    """Run each step once (in reverse order when asked), adding its wall and CPU time to `totals`."""
    seconds: dict[str, float] = {}
    for name in list(steps)[::-1] if reverse else list(steps):
        wall, cpu = time.perf_counter(), time.process_time()
        steps[name]()
        seconds[name] = time.perf_counter() - wall
        totals[f"{name}_wall"] += seconds[name]
        totals[f"{name}_cpu"] += time.process_time() - cpu
    return seconds


def _throughput_row(t: dict[str, float]) -> dict[str, float]:
    return {
        "articles": int(t["articles"]),
        "sentences": int(t["sentences"]),
        "e2e_seconds": t["e2e_wall"],
        "e2e_cpu_seconds": t["e2e_cpu"],
        "encoder_seconds": t["encoder_wall"],
        "encoder_cpu_seconds": t["encoder_cpu"],
        "articles_per_second": t["articles"] / t["e2e_wall"],
        "encoder_articles_per_second": t["articles"] / t["encoder_wall"],
        "encoder_sentences_per_second": t["sentences"] / t["encoder_wall"],
        "e2e_over_encoder": t["e2e_wall"] / t["encoder_wall"],
        "e2e_over_encoder_cpu": t["e2e_cpu"] / t["encoder_cpu"],
    }


def _overhead_row(e2e_seconds: float, encoder_call_seconds: float) -> dict[str, float]:
    overhead = e2e_seconds - encoder_call_seconds
    return {
        "e2e_encoder_call_seconds": encoder_call_seconds,
        "e2e_overhead_seconds": overhead,
        "e2e_overhead_share": overhead / e2e_seconds,
        "e2e_over_encoder_call": e2e_seconds / encoder_call_seconds,
    }


# --- encoder settings (issue 24) ------------------------------------------------------------------


@dataclass(frozen=True)
class EncoderSetting:
    """One backend x precision run of the default encoder; `skipped` says why it cannot run here."""

    backend: str
    precision: str
    skipped: str | None = None

    @property
    def name(self) -> str:
        return f"{self.backend}_{self.precision}"


def encoder_settings() -> list[EncoderSetting]:
    """Every backend x precision, with the reason when this machine cannot run one (or only emulates it)."""
    import importlib.util

    from nlpkit.embedding.encoder import BACKENDS, cpu_has_native_bf16

    emulated = (
        None if cpu_has_native_bf16() else "no native bf16 on this CPU (emulated, several times slower than fp32)"
    )
    openvino = (
        None if importlib.util.find_spec("openvino") else "openvino not installed (pip install 'nlpkit[openvino]')"
    )
    settings = []
    for backend in BACKENDS:
        for precision in ("fp32", "bf16"):
            reason = openvino if backend == "openvino" else None
            settings.append(EncoderSetting(backend, precision, reason or (emulated if precision == "bf16" else None)))
    return settings


def article_sentences(items: Sequence[dict]) -> tuple[list[str], int]:
    """The strings `predict` sends to the encoder for these articles (titles, then sentences), and the article count."""
    from nlpkit.model import as_article

    texts: list[str] = []
    for index, item in enumerate(items):
        article = as_article(item, index)
        texts.extend(([article.title] if article.title else []) + article.texts)
    return texts, len(items)


def measure_encoder_settings(items: Sequence[dict], work: Path) -> dict[str, Any]:
    """Articles/s, CPU-s per article and cosine to fp32 of each setting, against bare fp32 SentenceTransformer.

    The bare encoder runs first and last (its median is the reference), so a change of machine load during the
    run shows as the spread of its two runs. Each setting's export (OpenVINO) is made before it is timed.
    """
    import numpy as np

    texts, n_articles = article_sentences(items)
    bare = _bare_sentence_transformer()
    runs = {"bare": [_timed_encode(bare, texts, n_articles)]}
    reference = _unit(runs["bare"][0].pop("vectors"))
    rows: dict[str, Any] = {}
    for setting in encoder_settings():
        if setting.skipped:
            rows[setting.name] = {"skipped": setting.skipped}
            log.info("encoder setting %s skipped: %s", setting.name, setting.skipped)
            continue
        encoder = _setting_encoder(setting, work)
        result = _timed_encode(encoder.encode_texts, texts, n_articles)
        cosines = np.sum(_unit(result.pop("vectors")) * reference, axis=1)
        rows[setting.name] = {**result, "cosine_mean": float(cosines.mean()), "cosine_min": float(cosines.min())}
    runs["bare"].append(_timed_encode(bare, texts, n_articles))
    runs["bare"][-1].pop("vectors")
    bare_rate = statistics.median(run["articles_per_second"] for run in runs["bare"])
    for row in rows.values():
        if "articles_per_second" in row:
            row["speedup_over_bare"] = row["articles_per_second"] / bare_rate
    return {
        "articles": n_articles,
        "sentences": len(texts),
        "bare_fp32": runs["bare"],
        "bare_articles_per_second": bare_rate,
        "settings": rows,
    }


def _bare_sentence_transformer() -> Callable[[list[str]], Any]:
    """Bare fp32 `SentenceTransformer.encode`, with the batch size our encoder uses."""
    from sentence_transformers import SentenceTransformer

    from nlpkit.embedding.encoder import DEFAULT_ENCODER, resolve_encoder_path

    model = SentenceTransformer(str(resolve_encoder_path(DEFAULT_ENCODER)), device="cpu")
    return lambda texts: model.encode(texts, batch_size=64, convert_to_numpy=True, show_progress_bar=False)


def _setting_encoder(setting: EncoderSetting, work: Path) -> Any:
    """Our SentenceEncoder at one setting, weights loaded (and exported) before the clock starts."""
    from nlpkit.embedding.encoder import SentenceEncoder

    encoder = SentenceEncoder(precision=setting.precision, backend=setting.backend, cache_dir=str(work / "cache"))
    encoder.fit().encode_texts(["warm-up"])
    return encoder


def _timed_encode(encode: Callable[[list[str]], Any], texts: list[str], n_articles: int) -> dict[str, Any]:
    encode(texts[:64])  # the first call at a shape allocates; not part of the rate
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = encode(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "articles_per_second": n_articles / wall,
        "cpu_seconds_per_article": cpu / n_articles,
        "vectors": vectors,
    }


def _unit(vectors: Any) -> Any:
    import numpy as np

    array = np.asarray(vectors, dtype=np.float32)
    return array / np.maximum(np.linalg.norm(array, axis=1, keepdims=True), 1e-12)


def settings_table(measured: dict[str, Any]) -> list[str]:
    lines = [
        f"Encoder settings on {measured['articles']} articles ({measured['sentences']:,} sentences); bare fp32 "
        f"SentenceTransformer.encode: {measured['bare_articles_per_second']:.2f} articles/s (median of a run before "
        "and after the settings)",
        "",
        "| setting | articles/s | CPU-s per article | speed-up over bare fp32 | cosine to fp32 mean / min |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in measured["settings"].items():
        if "skipped" in row:
            lines.append(f"| {name} | skipped: {row['skipped']} | | | |")
            continue
        lines.append(
            f"| {name} | {row['articles_per_second']:.2f} | {row['cpu_seconds_per_article']:.3f} | "
            f"{row['speedup_over_bare']:.2f}x | {row['cosine_mean']:.5f} / {row['cosine_min']:.5f} |"
        )
    return lines


# --- quality per encoder setting (issue 24) ---------------------------------------------------------

#: The setting every other one is compared with: what the project trains and predicts with today.
REFERENCE_SETTING = "torch_fp32"


@dataclass
class QualityData:
    """The dev sets' true topics and the held-out summary articles, read once and scored for every setting."""

    topics: dict[str, Any]  # dev set name -> common.TopicSet
    summaries: dict[str, list[Any]]  # "bbc" | "cnn" -> compare.SummaryItem, the held-out slice
    slices: dict[str, str]


@dataclass
class SettingOutputs:
    """What one setting's model (trained and predicting with that setting) gave on the benchmark sets."""

    topics: dict[str, list[str]]  # dev set -> predicted primary topic per article
    rouge: dict[str, dict[str, list[float]]]  # summary set -> rouge1 | rouge2 -> per-article F1 x100
    train_seconds: float
    cpu_seconds: float


def quality_data(shared: Path, limit: int) -> QualityData:
    """Both topic dev sets, and the first `limit` articles of each summary set's held-out part (as in summaries.py)."""
    from benchmarks.compare import SUMMARY_SETS, load_summary_set
    from benchmarks.summaries import HELD_OUT

    summaries, slices = {}, {}
    for key, (name, relative, n_fixed) in SUMMARY_SETS.items():
        first, last = HELD_OUT[key][0], min(HELD_OUT[key][1], HELD_OUT[key][0] + limit - 1)
        summaries[key] = load_summary_set(shared / "benchmarks" / relative, n_fixed, last)[first - 1 :]
        slices[key] = f"{name} {first}-{first + len(summaries[key]) - 1} (held out)"
    return QualityData(topic_sets(shared), summaries, slices)


def run_setting(setting: EncoderSetting, data: QualityData, args: argparse.Namespace) -> SettingOutputs:
    """configs/default.yaml with this backend and precision, trained on the seeds, then predicting every set."""
    from benchmarks.common import encode
    from benchmarks.compare import nlpkit_summary, train_nlpkit
    from nlpkit.evaluation.metrics import rouge_per_article

    cache = args.openvino_cache_dir if setting.backend == "openvino" and args.openvino_cache_dir else args.cache_dir
    wall, cpu = time.perf_counter(), time.process_time()
    model = train_nlpkit(
        args.config, cache, args.seeds, [f"embed__backend={setting.backend}", f"embed__precision={setting.precision}"]
    )
    train_seconds, train_cpu = time.perf_counter() - wall, time.process_time() - cpu
    log.info("%s: trained on the seeds in %.0f s (%.0f CPU-s)", setting.name, train_seconds, train_cpu)
    assert model.decider is not None, "a trained model has its decider"
    topics = {
        name: [str(p) for p in model.decider.primary(model.predict_proba(encode(model, s.articles, name)))]
        for name, s in data.topics.items()
    }
    scores: dict[str, dict[str, list[float]]] = {}
    for key, items in data.summaries.items():
        vectors = encode(model, [item.article for item in items], key).vectors
        per_article = rouge_per_article(
            [nlpkit_summary(model, item.article, v, item.n_sentences) for item, v in zip(items, vectors)],
            [item.reference for item in items],
        )
        scores[key] = {metric: [row[metric] for row in per_article] for metric in ("rouge1", "rouge2")}
    return SettingOutputs(topics, scores, train_seconds, train_cpu)


def compare_settings(
    truth: dict[str, list[str]], outputs: dict[str, SettingOutputs | str], rounds: int = 1000
) -> dict[str, Any]:
    """Each setting's dev macro-F1 (bootstrap 95% interval) and mean ROUGE, and its paired difference to torch fp32.

    `outputs` maps a setting to what it predicted, or to the reason it was skipped. Differences are the setting
    minus torch fp32 on the same resamples of the same articles, so a loss shows as a negative number.
    """
    from nlpkit.evaluation.robustness import bootstrap_interval, paired_difference

    reference = outputs.get(REFERENCE_SETTING)
    rows: dict[str, Any] = {}
    for name, out in outputs.items():
        if isinstance(out, str):
            rows[name] = {"skipped": out}
            continue
        row: dict[str, Any] = {"train_seconds": out.train_seconds, "train_cpu_seconds": out.cpu_seconds}
        for dev, labels in truth.items():
            row[dev] = bootstrap_interval(labels, out.topics[dev], rounds=rounds).as_dict("macro_f1")
            if isinstance(reference, SettingOutputs):
                gap = paired_difference(labels, out.topics[dev], reference.topics[dev], rounds=rounds)
                same = sum(a == b for a, b in zip(out.topics[dev], reference.topics[dev]))
                row[dev].update(gap.as_dict("diff"), same_topic=same, articles=len(labels))
        for key, metrics in out.rouge.items():
            row[key] = {metric: float(statistics.fmean(values)) for metric, values in metrics.items()}
            row[key]["articles"] = len(metrics["rouge1"])
            if isinstance(reference, SettingOutputs):
                for metric, values in metrics.items():
                    positions = list(range(len(values)))
                    gap = paired_difference(positions, values, reference.rouge[key][metric], _mean_score, rounds)
                    row[key].update(gap.as_dict(f"{metric}_diff"))
        rows[name] = row
    return rows


def _mean_score(_positions: Sequence[Any], scores: Sequence[Any]) -> float:
    """The set's ROUGE from per-article scores, as a metric `paired_difference` can resample."""
    return float(statistics.fmean(float(score) for score in scores))


def measure_settings_quality(args: argparse.Namespace, sources: Sources) -> dict[str, Any]:
    """Train and score every setting this machine runs; skipped ones keep their reason."""
    if not sources.topics or sources.bbc is None:
        return {"skipped": f"the topic dev sets or summary sets are missing under {sources.shared / 'benchmarks'}"}
    data = quality_data(sources.shared, args.quality_limit)
    outputs: dict[str, SettingOutputs | str] = {}
    for setting in encoder_settings():
        outputs[setting.name] = setting.skipped or run_setting(setting, data, args)
    truth = {name: list(s.truth) for name, s in data.topics.items()}
    return {
        "config": str(args.config),
        "slices": data.slices,
        "dev_articles": {name: len(labels) for name, labels in truth.items()},
        "settings": compare_settings(truth, outputs),
    }


def quality_targets(quality: dict[str, Any]) -> list[TargetResult]:
    """Issue 24's no-loss targets for every setting besides torch fp32: macro-F1 and ROUGE-1 lost against it."""
    results = []
    for name, row in quality.get("settings", {}).items():
        if name == REFERENCE_SETTING or "skipped" in row:
            continue
        for dev, label in (("western", "Western dev"), ("regional", "regional dev")):
            d = row[dev]
            note = f"{name}, {label}; difference {d['diff']:+.4f} [{d['diff_low']:+.4f}, {d['diff_high']:+.4f}]"
            results.append(check("setting_f1_loss", 0.0 - d["diff"], note))  # 0.0 - x: no "-0.000"
        for key in ("bbc", "cnn"):
            r = row[key]
            note = (
                f"{name}, {quality['slices'][key]}; difference {r['rouge1_diff']:+.3f} "
                f"[{r['rouge1_diff_low']:+.3f}, {r['rouge1_diff_high']:+.3f}]"
            )
            results.append(check("setting_rouge_loss", 0.0 - r["rouge1_diff"], note))
    return results


def quality_table(quality: dict[str, Any]) -> list[str]:
    """Markdown: per setting, dev macro-F1 with intervals and ROUGE-1/2, each with its difference to torch fp32."""
    if "skipped" in quality:
        return [f"Quality per setting skipped: {quality['skipped']}"]
    s = quality["slices"]
    lines = [
        f"Quality per setting: {quality['config']} trained on the seeds and predicting with the setting. Dev macro-F1 "
        f"[bootstrap 95%]; Δ = setting minus {REFERENCE_SETTING}, paired bootstrap [95%]; ROUGE F1 x100 on "
        f"{s['bbc']} and {s['cnn']}.",
        "",
        "| setting | Western dev macro-F1 | Δ (same topic) | regional dev macro-F1 | Δ (same topic) | "
        "BBC ROUGE-1 / 2 | Δ ROUGE-1 | CNN ROUGE-1 / 2 | Δ ROUGE-1 | train CPU-s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in quality["settings"].items():
        if "skipped" in row:
            lines.append(f"| {name} | skipped: {row['skipped']} | | | | | | | | |")
            continue
        cells = [name]
        for dev in ("western", "regional"):
            d = row[dev]
            cells += [
                f"{d['macro_f1']:.4f} [{d['macro_f1_low']:.3f}, {d['macro_f1_high']:.3f}]",
                f"{d['diff']:+.4f} [{d['diff_low']:+.4f}, {d['diff_high']:+.4f}] ({d['same_topic']}/{d['articles']})",
            ]
        for key in ("bbc", "cnn"):
            r = row[key]
            cells += [
                f"{r['rouge1']:.2f} / {r['rouge2']:.2f}",
                f"{r['rouge1_diff']:+.3f} [{r['rouge1_diff_low']:+.3f}, {r['rouge1_diff_high']:+.3f}]",
            ]
        lines.append("| " + " | ".join([*cells, f"{row['train_cpu_seconds']:.0f}"]) + " |")
    return lines


# --- quality ------------------------------------------------------------------------------------------


def measure_quality(model: Any, sources: Sources) -> dict[str, Any]:
    """Macro-F1 on both topic dev sets (and the worse of the two) and ROUGE-1 on BBC."""
    quality: dict[str, Any] = {}
    if sources.topics:
        quality.update(topic_quality(model, sources.shared))
    if sources.bbc is not None:
        quality.update(summary_quality(model, sources.bbc))
    return quality


def topic_quality(model: Any, shared: Path) -> dict[str, Any]:
    from nlpkit.evaluation.metrics import topic_metrics
    from nlpkit.labels import LABELS

    scores = {}
    for name, data in topic_sets(shared).items():
        assert model.decider is not None, "a loaded bundle is fitted"
        predicted = model.decider.primary(model.predict_proba(model.encode(data.articles)))
        scores[name] = topic_metrics(data.truth, predicted, LABELS)["macro_f1"]
    return {
        "western_macro_f1": scores["western"],
        "regional_macro_f1": scores["regional"],
        "macro_f1": worse_of_two(scores),
    }


def summary_quality(model: Any, path: Path) -> dict[str, Any]:
    """ROUGE with each summary as long as its reference (sentence count), as evaluate_summaries scores it."""
    from nlpkit.evaluation.evaluators import evaluate_summaries
    from nlpkit.text.document import parse_article
    from nlpkit.text.splitter import split_sentences

    rows = read_records(path, BBC_LIMIT)
    articles = [parse_article(row["text"], row.get("title") or "", id=str(row["id"])) for row in rows]
    references = [row.get("reference_sentences") or row["reference"] for row in rows]
    lengths = [len(ref) if isinstance(ref, list) else len(split_sentences(ref)) for ref in references]
    scores = evaluate_summaries(model, articles, model.encode(articles).vectors, references, lengths)
    return {
        "rouge1": scores["summary_rouge1"],
        "rouge2": scores["summary_rouge2"],
        "lead_rouge1": scores["lead_rouge1"],
        "rouge1_set": f"BBC News Summary, first {len(rows)}",
    }


# --- memory (fresh child processes) -------------------------------------------------------------------


def measure_memory(bundle: str, speed_file: Path, n_articles: int) -> dict[str, Any]:
    """Peak RSS of a fresh process that loads the bundle and predicts `n_articles` (cycling the data)."""
    log.info("memory: predicting %d articles with %s in a fresh process", n_articles, bundle)
    return child_result(["memory", bundle, str(n_articles), str(speed_file)])


# --- targets and table ---------------------------------------------------------------------------


def evaluate_targets(report: dict[str, Any]) -> list[TargetResult]:
    """The speed targets (issues 7, 10 and 11) with this run's values, reported and never asserted."""
    modes, retrain = report["modes"], report["retrain"]
    results = []
    if "default" in retrain:
        results.append(check("warm_retrain_speedup", retrain["default"]["speedup"], "default mode, new process each"))
        results.append(
            check(
                "cold_train_seconds",
                retrain["default"]["cold"]["wall_seconds"],
                f"wall; {retrain['default']['cold']['cpu_seconds']:.0f} s CPU; load {report['load_average_start']}",
            )
        )
    if set(MODES) <= set(modes):
        d, f = modes["default"], modes["fast"]
        results += [
            check("e2e_over_encoder", d["throughput"]["e2e_over_encoder"], "whole run"),
            check("e2e_over_encoder", d["throughput"]["e2e_over_encoder_call"], "encoder call clocked inside predict"),
            check("fast_speedup", f["throughput"]["articles_per_second"] / d["throughput"]["articles_per_second"]),
            check("fast_gap", _delta(f, d, "macro_f1"), "worse of the two dev sets"),
            check("fast_rouge_gap", _delta(f, d, "rouge1")),
        ]
    for mode, data in modes.items():
        results.append(
            check("peak_rss_mb", data["memory"]["peak_rss_mb"], f"{mode}, {data['memory']['articles']:,} articles")
        )
    return results + quality_targets(report.get("settings_quality", {}))


def _delta(fast: dict, default: dict, key: str) -> float | None:
    a, b = fast["quality"].get(key), default["quality"].get(key)
    return None if a is None or b is None else a - b


def markdown_table(report: dict[str, Any], targets: Sequence[TargetResult]) -> str:
    m = report["machine"]
    lines = [
        f"Speed benchmark, {report['date']} · {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, "
        f"Python {m['python']}, torch {m['torch']} ({m['torch_threads']} threads) · load average at start "
        f"{_fmt_load(report['load_average_start'])}, at end {_fmt_load(report['load_average_end'])}",
    ]
    if report["retrain"]:
        lines += [
            "",
            "| mode | retrain cold / warm, new process (wall) | CPU cold / warm | warm speed-up |",
            "|---|---:|---:|---:|",
        ]
    for mode, r in report["retrain"].items():
        lines.append(
            f"| {mode} | {r['cold']['wall_seconds']:.1f} s / {r['warm']['wall_seconds']:.1f} s | "
            f"{r['cold']['cpu_seconds']:.1f} s / {r['warm']['cpu_seconds']:.1f} s | {r['speedup']:.1f}x |"
        )
    if report["modes"]:
        lines += [
            "",
            f"{report['throughput_articles']} {report['speed_data']} articles, batches of {BATCH_ARTICLES}",
            "",
            "| mode | encoder | end-to-end articles/s | bare encoder articles/s (sentences/s) | "
            "end-to-end / bare encoder (/ encoder call inside predict) | macro-F1 Western / regional | ROUGE-1 "
            "| peak RSS |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [_mode_row(mode, data) for mode, data in report["modes"].items()]
    lines += ["", *settings_table(report["encoder_settings"])]
    if "settings_quality" in report:
        lines += ["", *quality_table(report["settings_quality"])]
    lines += ["", "Targets:", "", *(t.line() for t in targets)]
    return "\n".join(lines)


def _mode_row(mode: str, data: dict[str, Any]) -> str:
    t, q, mem = data["throughput"], data["quality"], data["memory"]
    return (
        f"| {mode} | {data['encoder']} | {t['articles_per_second']:.2f} | {t['encoder_articles_per_second']:.2f} "
        f"({t['encoder_sentences_per_second']:.0f}) | {t['e2e_over_encoder']:.3f} ({t['e2e_over_encoder_call']:.3f}) | "
        f"{_num(q.get('western_macro_f1'), '.3f')} / {_num(q.get('regional_macro_f1'), '.3f')} | "
        f"{_num(q.get('rouge1'), '.2f')} | "
        f"{mem['peak_rss_mb']:.0f} MB ({mem['articles']:,} articles) |"
    )


def _num(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def _fmt_load(load: list[float] | None) -> str:
    return "n/a" if not load else " / ".join(f"{value:.2f}" for value in load)


# --- main ---------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=256, help="articles for the throughput comparison (default 256)")
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="folder holding benchmarks/ (default ../shared)"
    )
    parser.add_argument(
        "--modes", default=",".join(MODES), help="comma-separated modes to measure (default: default,fast)"
    )
    parser.add_argument("--retrain-only", action="store_true", help="only the cold/warm retrain measurement")
    parser.add_argument(
        "--articles",
        type=int,
        default=100,
        help="articles for the encoder backend x precision comparison (default 100)",
    )
    parser.add_argument(
        "--settings-only", action="store_true", help="only the encoder backend x precision comparison (no training)"
    )
    parser.add_argument(
        "--quality",
        action="store_true",
        help="also train configs/default.yaml with each setting and score it: dev macro-F1, held-out ROUGE",
    )
    parser.add_argument(
        "--quality-limit", type=int, default=100, help="held-out articles per summary set for --quality (default 100)"
    )
    parser.add_argument("--config", type=Path, default=CONFIGS["default"], help="config each --quality model trains")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds", help="seed corpus the --quality models train on")
    parser.add_argument(
        "--cache-dir", type=Path, default=DEFAULT_CACHE, help="embedding cache of the --quality torch settings"
    )
    parser.add_argument(
        "--openvino-cache-dir",
        type=Path,
        default=None,
        help="embedding cache (and IR export) of the --quality openvino settings (default: --cache-dir)",
    )
    parser.add_argument(
        "--memory-fast", type=int, default=10_000, help="articles predicted in the fast-mode memory run"
    )
    parser.add_argument(
        "--memory-default",
        type=int,
        default=1280,
        help="articles predicted in the default-mode memory run (default 1280, ~3 min on 2 idle cores)",
    )
    parser.add_argument(
        "--min-seconds", type=float, default=5.0, help="repeat throughput passes until this long (fast mode)"
    )


def measure_mode(
    mode: str, bundle: str, items: Sequence[dict], sources: Sources, args: argparse.Namespace
) -> dict[str, Any]:
    """Throughput, quality and memory of one mode's warm-retrained bundle."""
    from nlpkit.model import NewsModel

    started = time.perf_counter()
    model = NewsModel.load(bundle)
    encoder = (
        "MiniLM-L6 (sentence-transformers)"
        if mode == "default"
        else f"{Path(str(model.config['embed__model'])).name} (model2vec)"
    )
    return {
        "encoder": encoder,
        "load_seconds": time.perf_counter() - started,
        "throughput": measure_throughput(model, items, mode, args.min_seconds if mode == "fast" else 0.0),
        "quality": measure_quality(model, sources),
        "memory": measure_memory(bundle, sources.speed, args.memory_fast if mode == "fast" else args.memory_default),
    }


def run_benchmark(args: argparse.Namespace, modes: Sequence[str]) -> dict[str, Any]:
    """Retrain each mode (cold, then warm), then measure the warm bundle; all outputs in a temporary folder."""
    sources = find_sources(args.shared)
    items = raw_items(sources.speed, args.limit)
    report: dict[str, Any] = {
        "date": utc_now(),
        "machine": {**machine_info(), **torch_info()},
        "load_average_start": load_average(),
        "speed_data": sources.speed_label,
        "throughput_articles": len(items),
        "settings": _settings(args, sources),
        "modes": {},
        "retrain": {},
    }
    if "fast" in modes and not args.settings_only:
        report["distill_seconds"] = ensure_fast_encoder(CONFIGS["fast"])[1]
        report["fast_config_drift"] = fast_config_drift()
    with tempfile.TemporaryDirectory(prefix="nlpkit-speed-") as work:
        report["encoder_settings"] = measure_encoder_settings(raw_items(sources.speed, args.articles), Path(work))
        if args.quality:
            report["settings_quality"] = measure_settings_quality(args, sources)
        for mode in [] if args.settings_only else modes:
            retrain = measure_retrain(mode, Path(work))
            report["retrain"][mode] = retrain.to_dict()
            if not args.retrain_only:
                report["modes"][mode] = measure_mode(mode, retrain.bundle, items, sources, args)
    report["main_process_peak_rss_mb"] = peak_rss_mb()
    report["load_average_end"] = load_average()
    return report


def _settings(args: argparse.Namespace, sources: Sources) -> dict[str, Any]:
    return {
        "limit": args.limit,
        "batch_articles": BATCH_ARTICLES,
        "memory_fast": args.memory_fast,
        "modes": args.modes,
        "memory_default": args.memory_default,
        "min_seconds": args.min_seconds,
        "speed_file": str(sources.speed),
        "topics": sources.topics,
        "bbc_file": str(sources.bbc),
        "bbc_limit": BBC_LIMIT,
        "retrain_only": args.retrain_only,
        "settings_articles": args.articles,
        "settings_only": args.settings_only,
        "quality": args.quality,
        "quality_limit": args.quality_limit,
        "quality_config": str(args.config),
        "cache_dir": str(args.cache_dir),
        "openvino_cache_dir": str(args.openvino_cache_dir or args.cache_dir),
    }


def run(args: argparse.Namespace) -> Report:
    """Both modes measured; the targets checked and the table written from the figures."""
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if (
        min(args.limit, args.memory_fast, args.memory_default, args.articles, args.quality_limit) < 1
        or not modes
        or set(modes) - set(MODES)
    ):
        raise BenchmarkError(
            f"--limit, --articles, --quality-limit, --memory-fast and --memory-default must be at least 1; "
            f"--modes takes some of {MODES}"
        )
    report = run_benchmark(args, modes)
    targets = evaluate_targets(report)
    return Report(
        "speed",
        "speed benchmark (python -m benchmarks speed)",
        markdown_table(report, targets),
        report,
        params=report["settings"],
        metrics=flat_metrics(
            {
                "retrain": report["retrain"],
                "modes": report["modes"],
                "encoder_settings": report["encoder_settings"],
                "settings_quality": report.get("settings_quality", {}),
            }
        ),
        targets=targets,
        run_name=f"speed-{report['date'][:10]}",
    )
