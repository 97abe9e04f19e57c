"""Container contract helpers shared by train.py and score.py (Python 3 standard library only).

SageMaker's file layout under /opt/ml (MLOPS_ML_ROOT overrides the root for local runs) plus the
MLOPS_* environment variables the platform sets: model, category, run id, execution date, mode.
"""
import json
import os

ML_ROOT = os.environ.get("MLOPS_ML_ROOT", "/opt/ml")


def path(*parts):
    return os.path.join(ML_ROOT, *parts)


TRAINING_DIR = path("input", "data", "training")
HYPERPARAMETERS_FILE = path("input", "config", "hyperparameters.json")
MODEL_DIR = path("model")
# Scoring jobs receive the production version's model files in the "model" input channel.
SCORING_MODEL_DIR = path("input", "data", "model")
# ...and the day's input data (the same CSV layout as training) in the "scoring" channel.
SCORING_DATA_DIR = path("input", "data", "scoring")
OUTPUT_DATA_DIR = path("output", "data")
FAILURE_FILE = path("output", "failure")


def env():
    """The MLOPS_* variables, with defaults for a bare local run."""
    return {
        "model": os.environ.get("MLOPS_MODEL", "demand-forecast"),
        "category": os.environ.get("MLOPS_CATEGORY", "default"),
        "run_id": os.environ.get("MLOPS_RUN_ID", "local"),
        "execution_date": os.environ.get("MLOPS_EXECUTION_DATE"),
        "model_version": os.environ.get("MLOPS_MODEL_VERSION"),
    }


def hyperparameters(defaults):
    """SageMaker passes every hyperparameter as a string; convert to the type of the default."""
    values = dict(defaults)
    if os.path.exists(HYPERPARAMETERS_FILE):
        with open(HYPERPARAMETERS_FILE, encoding="utf-8") as f:
            given = json.load(f)
        for key, raw in given.items():
            if key not in defaults:
                raise SystemExit(f"unknown hyperparameter {key!r}: use one of {', '.join(sorted(defaults))}")
            kind = type(defaults[key])
            try:
                values[key] = kind(raw)
            except ValueError:
                raise SystemExit(f"hyperparameter {key}={raw!r} is not a {kind.__name__}")
    return values


def write_json(file, value):
    os.makedirs(os.path.dirname(file), exist_ok=True)
    with open(file, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write("\n")


def fail(message):
    """Writes the failure reason where SageMaker surfaces it, then exits non-zero."""
    os.makedirs(os.path.dirname(FAILURE_FILE), exist_ok=True)
    with open(FAILURE_FILE, "w", encoding="utf-8") as f:
        f.write(message)
    raise SystemExit(message)
