"""Fine-tune the MiniLM body on the seed train split, offline, with sentence-transformers' own trainer.

What the body is trained on. The encoder (nlpkit.embedding.encoder) never sees a whole article: it embeds
the title and every sentence on its own, and the pooler averages them with more weight on the lead. So the
training units are the same short texts: each train article's title and its first `lead_sentences`
sentences, each labelled with the article's primary topic. News states its subject in the headline and the
lead, so these carry the label with little noise; later sentences (quotes, background) often do not, and
labelling them with the article's topic would teach the body noise. Training on title+lead concatenations
instead would fit texts the encoder is never asked to embed.

Losses, both fit for classes:
- `batch-hard` (default): BatchHardTripletLoss over (text, label) rows with cosine distance; batches are
  grouped by label so each holds several topics with at least two texts each. It pulls the farthest
  same-topic text closer than the nearest other-topic text, by a margin.
- `contrastive`: OnlineContrastiveLoss over pairs (each text with one same-topic and one other-topic
  partner), which trains only on the hard pairs of each batch.

The result is a plain sentence-transformers folder plus a provenance JSON (source encoder and its sha256,
data sha256, settings); being JSON it is part of the encoder fingerprint, so a bundle trained on it refuses
any other body. Nothing is downloaded (HF_HUB_OFFLINE=1), nothing is reported or pushed to a hub.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from nlpkit.data.corpus import LabelledArticle, corpus_hash, load_corpus, load_splits
from nlpkit.embedding.distill import package_version
from nlpkit.embedding.encoder import DEFAULT_ENCODER, encoder_fingerprint, encoder_kind, resolve_encoder_path
from nlpkit.errors import EncoderError, FinetuneError

__all__ = ["LOSSES", "PROVENANCE_FILE", "FinetuneError", "FinetuneSettings", "finetune_encoder", "training_texts"]

log = logging.getLogger(__name__)

LOSSES = ("batch-hard", "contrastive")
#: Provenance written beside the model files; being JSON it is part of the encoder's sha256.
PROVENANCE_FILE = "nlpkit_finetune.json"
_MIN_ARTICLES = 10


@dataclass(frozen=True)
class FinetuneSettings:
    """The trainer's knobs; the defaults are what `python -m nlpkit.finetune` uses.

    `margin` is the batch-hard triplet margin in cosine distance; the contrastive loss keeps its own (0.5).
    """

    epochs: int = 1
    loss: str = "batch-hard"
    lead_sentences: int = 3
    batch_size: int = 32
    learning_rate: float = 2e-5
    margin: float = 0.3
    max_articles: int | None = None
    random_state: int = 0

    def check(self) -> None:
        """Refuse settings the trainer would fail on later, with the setting's name."""
        if self.loss not in LOSSES:
            raise FinetuneError(f"--loss must be one of {', '.join(LOSSES)}, got {self.loss!r}")
        if self.epochs < 1:
            raise FinetuneError(f"--epochs must be at least 1, got {self.epochs}")
        if self.lead_sentences < 0:
            raise FinetuneError(f"--lead-sentences must be 0 or more, got {self.lead_sentences}")
        if self.batch_size < 4 or self.batch_size % 2:
            raise FinetuneError(f"--batch-size must be an even number of at least 4, got {self.batch_size}")
        if self.max_articles is not None and self.max_articles < _MIN_ARTICLES:
            raise FinetuneError(f"--max-articles must be at least {_MIN_ARTICLES}, got {self.max_articles}")
        if self.learning_rate <= 0 or self.margin <= 0:
            raise FinetuneError("learning rate and margin must be positive")


def finetune_encoder(
    output: str | Path,
    data: str | Path = "seeds/articles.jsonl",
    splits: str | Path = "seeds/splits.json",
    encoder: str = DEFAULT_ENCODER,
    settings: FinetuneSettings | None = None,
) -> Path:
    """Fine-tune `encoder` on the train split of `data`/`splits` and save it to `output`; returns `output`.

    The folder is written to a temporary sibling and renamed into place, so an interrupted run never
    leaves a half-trained encoder that a config could point at.
    """
    settings = settings or FinetuneSettings()
    settings.check()
    output = Path(output)
    _check_output(output)
    source = resolve_encoder_path(str(encoder))
    if encoder_kind(source) != "sentence-transformers":
        raise FinetuneError(f"{source} is a static (model2vec) encoder; fine-tune a sentence-transformers folder")
    articles = _train_articles(data, splits, settings)
    texts, labels = training_texts(articles, settings.lead_sentences)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    started = time.perf_counter()
    log.info(
        "fine-tuning %s on %d texts from %d train articles (%s loss, %d epochs)",
        encoder,
        len(texts),
        len(articles),
        settings.loss,
        settings.epochs,
    )
    model = _train(source, texts, labels, settings)
    provenance = _provenance(str(encoder), source, data, settings, len(articles), len(texts))
    _save_atomically(model, provenance, output)
    log.info("fine-tuned in %.1fs; saved to %s", time.perf_counter() - started, output)
    return output


def training_texts(articles: Sequence[LabelledArticle], lead_sentences: int = 3) -> tuple[list[str], list[str]]:
    """Each article's title and first `lead_sentences` sentences, each with the article's primary topic."""
    texts: list[str] = []
    labels: list[str] = []
    for record in articles:
        units = ([record.article.title] if record.article.title else []) + record.article.texts[:lead_sentences]
        texts += units
        labels += [record.primary] * len(units)
    return texts, labels


def _train_articles(data: str | Path, splits: str | Path, settings: FinetuneSettings) -> list[LabelledArticle]:
    """The train split only (validation and test stay unseen), optionally a seeded random subset."""
    train = load_splits(splits, load_corpus(data))["train"]
    if settings.max_articles is not None and settings.max_articles < len(train):
        train = random.Random(settings.random_state).sample(train, settings.max_articles)
    if len({record.primary for record in train}) < 2:
        raise FinetuneError(f"{splits}: the train articles need at least two primary topics to contrast")
    return train


def _train(source: Path, texts: list[str], labels: list[str], settings: FinetuneSettings) -> Any:
    """One SentenceTransformerTrainer run; checkpoints go to a scratch folder that is removed afterwards."""
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerModelCardData,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.base.sampler import BatchSamplers

    card = SentenceTransformerModelCardData(generate_widget_examples=False)  # no card is written; skip its work
    model = SentenceTransformer(str(source), device="cpu", model_card_data=card)
    dataset, loss = _dataset_and_loss(model, texts, labels, settings)
    with tempfile.TemporaryDirectory(prefix="nlpkit-finetune-") as scratch:
        arguments = SentenceTransformerTrainingArguments(
            output_dir=scratch,
            num_train_epochs=settings.epochs,
            per_device_train_batch_size=settings.batch_size,
            learning_rate=settings.learning_rate,
            warmup_steps=_warmup_steps(len(dataset), settings),
            seed=settings.random_state,
            data_seed=settings.random_state,
            batch_sampler=BatchSamplers.GROUP_BY_LABEL
            if settings.loss == "batch-hard"
            else BatchSamplers.BATCH_SAMPLER,
            save_strategy="no",
            report_to="none",
            push_to_hub=False,
            logging_steps=10,
            disable_tqdm=not log.isEnabledFor(logging.INFO),  # --quiet silences the progress bar too
            use_cpu=True,
            dataloader_num_workers=0,
        )
        trainer = SentenceTransformerTrainer(model=model, args=arguments, train_dataset=dataset, loss=loss)
        trainer.add_callback(_loss_logger())
        trainer.train()
    return model


def _loss_logger() -> Any:
    """A trainer callback that sends the running loss to our log (the trainer's own goes to a progress bar)."""
    from transformers import TrainerCallback

    class LossLogger(TrainerCallback):  # type: ignore[misc]
        def on_log(
            self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kwargs: Any
        ) -> None:
            if logs and "loss" in logs:
                log.info("step %d/%d: loss %.4f", state.global_step, state.max_steps, float(logs["loss"]))

    return LossLogger()


def _dataset_and_loss(model: Any, texts: list[str], labels: list[str], settings: FinetuneSettings) -> tuple[Any, Any]:
    from datasets import Dataset
    from sentence_transformers.sentence_transformer import losses

    topics = sorted(set(labels))
    if settings.loss == "batch-hard":
        rows = {"text": texts, "label": [topics.index(label) for label in labels]}
        distance = losses.BatchHardTripletLossDistanceFunction.cosine_distance
        return Dataset.from_dict(rows), losses.BatchHardTripletLoss(
            model, distance_metric=distance, margin=settings.margin
        )
    pairs = _contrastive_pairs(texts, labels, settings.random_state)
    return Dataset.from_dict(pairs), losses.OnlineContrastiveLoss(model)


def _contrastive_pairs(texts: list[str], labels: list[str], random_state: int) -> dict[str, list[Any]]:
    """Every text twice: with a random same-topic text (label 1) and a random other-topic text (label 0)."""
    rng = random.Random(random_state)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    first: list[str] = []
    second: list[str] = []
    same: list[int] = []
    for index, label in enumerate(labels):
        others = [other for other in by_label if other != label]
        partners = [
            (rng.choice(by_label[label]), 1),
            (rng.choice(by_label[rng.choice(others)]), 0),
        ]
        for partner, value in partners:
            first.append(texts[index])
            second.append(texts[partner])
            same.append(value)
    return {"sentence1": first, "sentence2": second, "label": same}


def _warmup_steps(rows: int, settings: FinetuneSettings) -> int:
    """A tenth of the optimiser steps: a gentle start keeps the pretrained geometry from a first hard jolt."""
    steps = max(1, rows // settings.batch_size) * settings.epochs
    return max(1, steps // 10)


def _check_output(output: Path) -> None:
    """Only an absent or empty folder, or an earlier fine-tuned encoder, may be (re)placed."""
    if output.exists() and not output.is_dir():
        raise FinetuneError(f"--output {output} exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / PROVENANCE_FILE).is_file():
        raise FinetuneError(
            f"--output {output} is a non-empty folder that is not a fine-tuned encoder; refusing to replace it"
        )


def _provenance(
    encoder: str, source: Path, data: str | Path, settings: FinetuneSettings, n_articles: int, n_texts: int
) -> dict[str, Any]:
    """What the folder was built from; portable (no absolute paths), so the sha256 is machine-independent."""
    return {
        "source_encoder": encoder if encoder == DEFAULT_ENCODER else source.name,
        "source_sha256": encoder_fingerprint(source),
        "data_sha256": corpus_hash(data),
        "train_articles": n_articles,
        "train_texts": n_texts,
        "settings": settings.__dict__,
        "sentence_transformers_version": package_version("sentence-transformers"),
    }


def _save_atomically(model: Any, provenance: dict[str, Any], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
    try:
        model.save(str(staging), create_model_card=False)
        (staging / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2, sort_keys=True), encoding="utf-8")
        if encoder_kind(staging) != "sentence-transformers":
            raise EncoderError(f"{staging}: the saved model is not a sentence-transformers folder")
        if output.exists():
            log.info("replacing the existing encoder at %s", output)
            shutil.rmtree(output)
        staging.rename(output)
        output.chmod(0o755)  # mkdtemp made it private; the encoder is shared like any model folder
        for file in output.rglob("*"):
            file.chmod(0o755 if file.is_dir() else 0o644)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
