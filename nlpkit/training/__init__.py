"""Workflows around a model: config validation, one training run (no MLflow inside), sweeps, run names."""
