"""Batch scoring: predicts tomorrow's demand (the day after MLOPS_EXECUTION_DATE, else after the
newest training day) for every store of model.json, as JSON Lines `{"entityId", "prediction"}`
in /opt/ml/output/data/predictions.jsonl. When the "scoring" channel holds the day's data, each
store's recent level comes from its last 7 days there instead of from training time.
"""
import glob
import json
import os
from datetime import date, timedelta

import common
from train import predict, read_rows


def recent_levels(directory):
    """Mean units of each store's last 7 days in the scoring data; {} when there is none."""
    if not glob.glob(os.path.join(directory, "*.csv")):
        return {}
    by_store = {}
    for day, store, units in read_rows(directory):
        by_store.setdefault(store, []).append((day, units))
    levels = {}
    for store, series in by_store.items():
        last = max(d for d, _ in series)
        week = [u for d, u in series if (last - d).days < 7]
        levels[store] = sum(week) / len(week)
    return levels


def main():
    env = common.env()
    # The platform's scoring job passes the production model in the "model" channel; a local run
    # right after training finds it in the model directory.
    candidates = [os.path.join(d, "model.json") for d in (common.SCORING_MODEL_DIR, common.MODEL_DIR)]
    model_file = next((c for c in candidates if os.path.exists(c)), None)
    if model_file is None:
        common.fail(f"no model at {' or '.join(candidates)}: the scoring job needs the trained model in its \"model\" input channel")
    with open(model_file, encoding="utf-8") as f:
        model = json.load(f)
    for store, level in recent_levels(common.SCORING_DATA_DIR).items():
        if store in model["stores"]:
            model["stores"][store]["level"] = level
    base = env["execution_date"] or max(s["lastDay"] for s in model["stores"].values())
    day = date.fromisoformat(base) + timedelta(days=1)
    out = os.path.join(common.OUTPUT_DATA_DIR, "predictions.jsonl")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    count = 0
    with open(out, "w", encoding="utf-8") as f:
        for store in sorted(model["stores"]):
            value = predict(model, store, day)
            f.write(json.dumps({"entityId": store, "prediction": round(value, 3), "date": day.isoformat()}) + "\n")
            count += 1
    print(f"scored {count} stores of {env['model']}/{env['category']} for {day.isoformat()} into {out}")


if __name__ == "__main__":
    main()
