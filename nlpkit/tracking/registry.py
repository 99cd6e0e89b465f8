"""The model registry: a trained model becomes `name@challenger`, and `name@champion` only when it wins fairly."""

from __future__ import annotations

import contextlib
import io
import logging
from dataclasses import dataclass
from typing import Any

import mlflow

from nlpkit.training.selection import SelectionRule

__all__ = ["CHAMPION", "CHALLENGER", "VALIDATION_DIGEST_TAG", "Registration", "register_candidate"]

log = logging.getLogger(__name__)

CHAMPION = "champion"
CHALLENGER = "challenger"
#: Run tag (and model version tag) naming the exact validation data a run was scored on.
VALIDATION_DIGEST_TAG = "validation_digest"


@dataclass
class Registration:
    """What registering a model did: its version, whether it became champion, and why (or why not)."""

    name: str
    version: int
    promoted: bool
    reason: str
    champion_version: int | None

    def summary(self) -> str:
        state = (
            f"now models:/{self.name}@{CHAMPION}"
            if self.promoted
            else f"{CHAMPION} stays version {self.champion_version}"
        )
        return f"registered models:/{self.name}@{CHALLENGER} (version {self.version}); {state}: {self.reason}"


def register_candidate(
    model_uri: str, name: str, metrics: dict[str, float], digest: str, card: str, rule: SelectionRule
) -> Registration:
    """Register a model as `name@challenger`; move `name@champion` to it only when it beats the current
    champion by `rule` on the same validation data (same digest), or when there is no champion yet."""
    client = mlflow.MlflowClient()
    with contextlib.redirect_stderr(io.StringIO()):  # MLflow prints "Successfully registered ..." itself
        version = int(mlflow.register_model(model_uri, name).version)
    client.update_model_version(name, str(version), description=card)
    client.set_model_version_tag(name, str(version), VALIDATION_DIGEST_TAG, digest)
    client.set_registered_model_alias(name, CHALLENGER, str(version))
    current = _alias(client, name, CHAMPION)
    if current is None:
        promoted, reason = True, "no champion yet"
    else:
        run = client.get_run(current.run_id)
        their_digest = current.tags.get(VALIDATION_DIGEST_TAG) or run.data.tags.get(VALIDATION_DIGEST_TAG, "")
        if their_digest != digest:
            promoted = False
            reason = (
                f"version {current.version} was validated on other data (digest {their_digest[:12] or 'unknown'}, "
                f"this one {digest[:12]}); not compared. Promote by hand with "
                f"MlflowClient().set_registered_model_alias('{name}', '{CHAMPION}', {version})"
            )
        else:
            promoted, reason = rule.beats(metrics, run.data.metrics)
    if promoted:
        client.set_registered_model_alias(name, CHAMPION, str(version))
    client.set_model_version_tag(name, str(version), "selection", reason[:500])
    champion = version if promoted else (int(current.version) if current is not None else None)
    log.info("registered %s as %s version %s (%s); champion: version %s", model_uri, name, version, reason, champion)
    return Registration(name, version, promoted, reason, champion)


def _alias(client: Any, name: str, alias: str) -> Any:
    try:
        return client.get_model_version_by_alias(name, alias)
    except mlflow.exceptions.MlflowException:
        return None
