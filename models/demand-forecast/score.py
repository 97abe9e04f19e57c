"""Batch scoring: predicts tomorrow's demand (the day after MLOPS_EXECUTION_DATE, else after the
newest training day) for every store of model.json, as JSON Lines `{"entityId", "prediction"}`
in /opt/ml/output/data/predictions.jsonl.
"""
import json
import os
from datetime import date, timedelta

import common
from train import predict


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
