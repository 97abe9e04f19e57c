// The files `mlops new <name>` writes next to the spec: a standard-library Python model under the
// container contract (same image for training and scoring), a dataset generator and a README.
// The model name always comes from MLOPS_MODEL, failures always land in /opt/ml/output/failure
// (where `mlops runs` reads why a run failed), and scoring reads the day's data from the
// "scoring" channel.

/** Columns of the generated data and of the spec's data.schema. */
export const TEMPLATE_COLUMNS = [
  { name: 'date', type: 'date' },
  { name: 'entity_id', type: 'string' },
  { name: 'value', type: 'number' },
];

/** Hyperparameters of the template model, as written in the spec. */
export const TEMPLATE_HYPERPARAMETERS = { window: 14, holdout_days: 7 };

export const DOCKERFILE = String.raw`# Training and batch-scoring image (Python standard library only). SageMaker runs it with the
# argument "train", the platform's scoring job with MLOPS_MODE=score (or the argument "score").
FROM public.ecr.aws/docker/library/python:3.12-slim
# AWS Batch runs the job as uid 1000 on a read-only root filesystem, /opt/ml and /tmp being fresh
# volumes that take the image's directory owner: /opt/ml belongs to uid 1000. No USER line:
# SageMaker expects to run containers as root (other users hit permission errors on /opt/ml).
RUN useradd --uid 1000 --no-create-home model && mkdir -p /opt/ml && chown 1000:1000 /opt/ml
WORKDIR /opt/program
COPY contract.py train.py score.py ./
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
ENTRYPOINT ["/bin/sh", "-c", "case \"${'$'}{1:-${'$'}{MLOPS_MODE:-train}}\" in score) exec python3 /opt/program/score.py ;; *) exec python3 /opt/program/train.py ;; esac", "entrypoint"]
`;

export const CONTRACT_PY = String.raw`"""The container contract (Python standard library only): SageMaker's file layout under /opt/ml
(MLOPS_ML_ROOT moves it for local runs) and the MLOPS_* variables the platform sets.
"""
import json
import os
import sys
import traceback

ML_ROOT = os.environ.get("MLOPS_ML_ROOT", "/opt/ml")


def path(*parts):
    return os.path.join(ML_ROOT, *parts)


TRAINING_DIR = path("input", "data", "training")
HYPERPARAMETERS_FILE = path("input", "config", "hyperparameters.json")
MODEL_DIR = path("model")
SCORING_MODEL_DIR = path("input", "data", "model")  # scoring: the served version's model files
SCORING_DATA_DIR = path("input", "data", "scoring")  # scoring: the day's input data
OUTPUT_DATA_DIR = path("output", "data")
FAILURE_FILE = path("output", "failure")


def env():
    """The MLOPS_* variables; the model name is the platform's, never written here."""
    return {
        "model": os.environ.get("MLOPS_MODEL", "local"),
        "category": os.environ.get("MLOPS_CATEGORY", "default"),
        "run_id": os.environ.get("MLOPS_RUN_ID", "local"),
        "execution_date": os.environ.get("MLOPS_EXECUTION_DATE"),
    }


def hyperparameters(defaults):
    """SageMaker passes every hyperparameter as a string: convert to the type of the default."""
    values = dict(defaults)
    if os.path.exists(HYPERPARAMETERS_FILE):
        with open(HYPERPARAMETERS_FILE, encoding="utf-8") as f:
            for key, raw in json.load(f).items():
                if key not in defaults:
                    fail(f"unknown hyperparameter {key!r}: use one of {', '.join(sorted(defaults))}")
                try:
                    values[key] = type(defaults[key])(raw)
                except ValueError:
                    fail(f"hyperparameter {key}={raw!r} is not a {type(defaults[key]).__name__}")
    return values


def write_json(file, value):
    os.makedirs(os.path.dirname(file), exist_ok=True)
    with open(file, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write("\n")


class Failure(Exception):
    """A failure with a reason for people."""


def fail(message):
    raise Failure(message)


def run(main):
    """Runs main; any failure is written to /opt/ml/output/failure (shown by mlops runs) before exiting 1."""
    try:
        main()
    except Exception as e:  # noqa: BLE001 - every failure must leave its reason
        reason = str(e) if isinstance(e, Failure) else f"{type(e).__name__}: {e}\n{traceback.format_exc()}"
        os.makedirs(os.path.dirname(FAILURE_FILE), exist_ok=True)
        with open(FAILURE_FILE, "w", encoding="utf-8") as f:
            f.write(reason[:1024])
        print(reason, file=sys.stderr)
        sys.exit(1)
`;

export const TRAIN_PY = String.raw`"""Trains the template model: per entity, the mean value of the last "window" days.

Reads every CSV of the training channel (columns date, entity_id, value), holds out the last
"holdout_days" days to measure rmse, then refits on everything. Writes model.json into the model
directory and metrics.json (rmse, rows) next to it and into the output data directory.
"""
import csv
import glob
import math
import os
from datetime import date

import contract

DEFAULTS = {"window": 14, "holdout_days": 7}


def read_rows(directory):
    files = sorted(glob.glob(os.path.join(directory, "*.csv")))
    if not files:
        contract.fail(f"no CSV file in {directory}: the channel is empty")
    rows = []
    for file in files:
        with open(file, newline="", encoding="utf-8") as f:
            for n, row in enumerate(csv.DictReader(f), start=2):
                try:
                    rows.append((date.fromisoformat(row["date"]), row["entity_id"], float(row["value"])))
                except (KeyError, ValueError) as e:
                    contract.fail(f"{os.path.basename(file)} line {n}: expected date,entity_id,value ({e})")
    return rows


def fit(rows, window):
    last = max(d for d, _, _ in rows)
    recent = {}
    for day, entity, value in rows:
        if (last - day).days < window:
            recent.setdefault(entity, []).append(value)
    return {"lastDay": last.isoformat(), "entities": {e: sum(v) / len(v) for e, v in recent.items()}}


def main():
    env = contract.env()
    hp = contract.hyperparameters(DEFAULTS)
    rows = read_rows(contract.TRAINING_DIR)
    last = max(d for d, _, _ in rows)
    train = [r for r in rows if (last - r[0]).days >= hp["holdout_days"]]
    test = [r for r in rows if (last - r[0]).days < hp["holdout_days"]]
    if not train or not test:
        contract.fail(f"need more than holdout_days={hp['holdout_days']} days of data, got {len({r[0] for r in rows})}")
    model = fit(train, hp["window"])
    errors = [(model["entities"].get(e, 0.0) - v) ** 2 for _, e, v in test]
    metrics = {"rmse": math.sqrt(sum(errors) / len(errors)), "rows": len(rows)}
    contract.write_json(os.path.join(contract.MODEL_DIR, "model.json"), fit(rows, hp["window"]))
    contract.write_json(os.path.join(contract.MODEL_DIR, "metrics.json"), metrics)
    contract.write_json(os.path.join(contract.OUTPUT_DATA_DIR, "metrics.json"), metrics)
    print(f"trained {env['model']}/{env['category']} on {len(rows)} rows: rmse {metrics['rmse']:.3f}")


if __name__ == "__main__":
    contract.run(main)
`;

export const SCORE_PY = String.raw`"""Batch scoring: one prediction per entity as JSON Lines {"entityId", "prediction"} in
/opt/ml/output/data/predictions.jsonl. The model comes from the "model" channel (a local run right
after training finds it in the model directory); the day's data in the "scoring" channel, when
there is some, refreshes each entity's recent mean.
"""
import glob
import json
import os

import contract
from train import DEFAULTS, fit, read_rows


def main():
    env = contract.env()
    candidates = [os.path.join(d, "model.json") for d in (contract.SCORING_MODEL_DIR, contract.MODEL_DIR)]
    model_file = next((c for c in candidates if os.path.exists(c)), None)
    if model_file is None:
        contract.fail(f"no model at {' or '.join(candidates)}: scoring needs the trained model in its \"model\" channel")
    with open(model_file, encoding="utf-8") as f:
        model = json.load(f)
    if glob.glob(os.path.join(contract.SCORING_DATA_DIR, "*.csv")):
        model["entities"].update(fit(read_rows(contract.SCORING_DATA_DIR), contract.hyperparameters(DEFAULTS)["window"])["entities"])
    out = os.path.join(contract.OUTPUT_DATA_DIR, "predictions.jsonl")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for entity in sorted(model["entities"]):
            f.write(json.dumps({"entityId": entity, "prediction": round(model["entities"][entity], 3)}) + "\n")
    print(f"scored {len(model['entities'])} entities of {env['model']}/{env['category']} into {out}")


if __name__ == "__main__":
    contract.run(main)
`;

export const GENERATE_DATA_PY = String.raw`"""Generates a small synthetic dataset (date, entity_id, value) with a weekly pattern and noise;
deterministic for a given seed.

    python3 generate_data.py --out data/training --days 60 --entities 5 --seed 7
"""
import argparse
import csv
import math
import os
import random
from datetime import date, timedelta


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True, help="folder to write data.csv into")
    p.add_argument("--days", type=int, default=60)
    p.add_argument("--entities", type=int, default=5)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--end", default=None, help="last day, YYYY-MM-DD (default: yesterday)")
    a = p.parse_args()
    rng = random.Random(a.seed)
    end = date.fromisoformat(a.end) if a.end else date.today() - timedelta(days=1)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "data.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["date", "entity_id", "value"])
        for n in range(a.entities):
            base = rng.uniform(20, 120)
            for d in range(a.days):
                day = end - timedelta(days=a.days - 1 - d)
                weekly = 1 + 0.3 * math.sin(2 * math.pi * day.weekday() / 7)
                w.writerow([day.isoformat(), f"entity-{n + 1:03d}", round(max(0.0, base * weekly + rng.gauss(0, base * 0.08)), 1)])
    print(f"wrote {a.days} days x {a.entities} entities to {os.path.join(a.out, 'data.csv')}")


if __name__ == "__main__":
    main()
`;

/** The README of a new model folder: what is where, and the local recipe (each run in its own numbered folder). */
export function readme(name: string): string {
  return `# ${name}

Created by \`mlops new ${name}\`: a spec with the platform's reference defaults written out
(\`model.yaml\`), and a standard-library Python model under the container contract
(\`contract.py\`, \`train.py\`, \`score.py\`, one \`Dockerfile\` for training and scoring).
Replace the model, keep the contract: training writes \`/opt/ml/model/\` and \`metrics.json\`,
scoring writes JSON Lines \`{"entityId", "prediction"}\` to \`/opt/ml/output/data/\`, and a failure
leaves its reason in \`/opt/ml/output/failure\` (\`mlops runs ${name}\` shows it).

Check the spec (about a second, no AWS): \`mlops validate ${name}\`.

Run it locally, each run in its own numbered folder:

\`\`\`bash
run=runs/$(( $(ls runs 2>/dev/null | wc -l) + 1 )) && mkdir -p $run/input/config
python3 generate_data.py --out $run/input/data/training
echo '{"window": "21"}' > $run/input/config/hyperparameters.json
MLOPS_ML_ROOT=$run MLOPS_MODEL=${name} python3 train.py
MLOPS_ML_ROOT=$run MLOPS_MODEL=${name} python3 score.py && head -3 $run/output/data/predictions.jsonl
\`\`\`
`;
}
