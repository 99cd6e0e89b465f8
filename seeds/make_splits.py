"""Write seeds/splits.json: a fixed train/validation/test split (70/15/15), stratified by primary topic and kind.

Ids already in splits.json keep their split, so figures measured on the earlier split stay comparable and no
test article ever moves into train. Articles added since are split among themselves, stratified the same way
with the same fixed seed, so a re-run gives the same file. Ids no longer in the corpus are dropped.

Run after the corpus changes: python seeds/make_splits.py
"""

import json
from pathlib import Path

from sklearn.model_selection import train_test_split

HERE = Path(__file__).parent
SPLITS = ("train", "validation", "test")
RANDOM_STATE = 20261127


def stratified_split(ids: list[str], labels: list[str]) -> dict[str, list[str]]:
    """70/15/15 split of ids, stratified by their labels."""
    train, rest, _, rest_labels = train_test_split(
        ids, labels, test_size=0.30, stratify=labels, random_state=RANDOM_STATE
    )
    validation, test = train_test_split(rest, test_size=0.50, stratify=rest_labels, random_state=RANDOM_STATE)
    return {"train": train, "validation": validation, "test": test}


def main() -> None:
    lines = (HERE / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    stratum = {r["id"]: f'{r["topics"][0]}/{r.get("kind", "full")}' for r in records}
    path = HERE / "splits.json"
    existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {name: [] for name in SPLITS}
    splits = {name: [i for i in existing.get(name, []) if i in stratum] for name in SPLITS}
    assigned = {i for ids in splits.values() for i in ids}
    new_ids = [r["id"] for r in records if r["id"] not in assigned]
    if new_ids:
        for name, ids in stratified_split(new_ids, [stratum[i] for i in new_ids]).items():
            splits[name].extend(ids)
    splits = {name: sorted(ids) for name, ids in splits.items()}
    path.write_text(json.dumps(splits, indent=1) + "\n", encoding="utf-8")
    print({name: len(values) for name, values in splits.items()}, f"({len(new_ids)} new)")


if __name__ == "__main__":
    main()
