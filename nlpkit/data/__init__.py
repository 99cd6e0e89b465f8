"""Data in and out: JSONL, the labelled corpus and splits, inbox readers, the prediction writer."""
