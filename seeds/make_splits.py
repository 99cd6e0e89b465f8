"""Write seeds/splits.json: a fixed train/validation/test split (70/15/15), stratified by primary topic and kind.

Run once when the corpus changes: python seeds/make_splits.py
"""

import json
from pathlib import Path

from sklearn.model_selection import train_test_split

HERE = Path(__file__).parent


def main() -> None:
    records = [json.loads(line) for line in (HERE / "articles.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [r["id"] for r in records]
    labels = [f'{r["topics"][0]}/{r.get("kind", "full")}' for r in records]
    train, rest, _, rest_labels = train_test_split(ids, labels, test_size=0.30, stratify=labels, random_state=20261127)
    validation, test = train_test_split(rest, test_size=0.50, stratify=rest_labels, random_state=20261127)
    splits = {"train": sorted(train), "validation": sorted(validation), "test": sorted(test)}
    (HERE / "splits.json").write_text(json.dumps(splits, indent=1) + "\n", encoding="utf-8")
    print({name: len(values) for name, values in splits.items()})


if __name__ == "__main__":
    main()
