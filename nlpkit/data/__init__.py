"""Data in and out: JSONL, the labelled corpus and splits, the inbox (`data.inbox`), the field table,
the prediction writer."""
