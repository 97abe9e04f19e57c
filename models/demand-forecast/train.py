"""Trains the demand forecast: per store, a day-of-week profile blended with a recent level.

Reads every CSV in the training channel (columns date, store_id, units), holds out the last
`holdout_days` days to evaluate, then refits on all data. Writes model.json into the model
directory, metrics.json (rmse, mae, naive_rmse, rows) next to it and into the output data
directory, metrics.jsonl (the error per holdout day, a curve `mlops ui` draws), and baseline.json: the drift baseline, histograms of the holdout predictions over
all weekdays and per weekday (a Saturday batch is compared with Saturdays).
"""
import bisect
import csv
import glob
import json
import math
import os
from collections import defaultdict
from datetime import date, timedelta

import common

DEFAULTS = {"window": 28, "level_weight": 0.5, "holdout_days": 7, "min_history_days": 14}
# Quantile bins of the drift baseline. Drift is published once a batch holds about 20 values per
# bin (lambda/shared/monitoring/sample-size.ts), so 5 bins let a few hundred stores be watched.
BASELINE_BINS = 5


def read_rows(directory):
    files = sorted(glob.glob(os.path.join(directory, "*.csv")))
    if not files:
        common.fail(f"no CSV file in {directory}: the training channel is empty")
    rows = []
    for file in files:
        with open(file, newline="", encoding="utf-8") as f:
            for n, row in enumerate(csv.DictReader(f), start=2):
                try:
                    rows.append((date.fromisoformat(row["date"]), row["store_id"], float(row["units"])))
                except (KeyError, ValueError) as e:
                    common.fail(f"{os.path.basename(file)} line {n}: expected date,store_id,units ({e})")
    return rows


def fit(rows, hp):
    """Per store: mean units per weekday over the window, and the mean of the last 7 days."""
    by_store = defaultdict(list)
    for day, store, units in rows:
        by_store[store].append((day, units))
    stores = {}
    for store, series in by_store.items():
        series.sort()
        last_day = series[-1][0]
        recent = [(d, u) for d, u in series if (last_day - d).days < hp["window"]]
        weekday = defaultdict(list)
        for d, u in recent:
            weekday[d.weekday()].append(u)
        overall = sum(u for _, u in recent) / len(recent)
        last_week = [u for d, u in series if (last_day - d).days < 7]
        stores[store] = {
            "weekday": {str(k): sum(v) / len(v) for k, v in weekday.items()},
            "overall": overall,
            "level": sum(last_week) / len(last_week),
            "lastDay": last_day.isoformat(),
            "history": len(series),
        }
    return {"stores": stores, "hyperparameters": hp}


def predict(model, store, day):
    s = model["stores"].get(store)
    if s is None:
        return None
    w = model["hyperparameters"]["level_weight"]
    profile = s["weekday"].get(str(day.weekday()), s["overall"])
    # Scale the weekday profile by the recent level relative to the window mean (trend).
    ratio = s["level"] / s["overall"] if s["overall"] else 1.0
    return max(0.0, (1 - w) * profile + w * profile * ratio)


def evaluate(rows, hp):
    last = max(d for d, _, _ in rows)
    cutoff = last - timedelta(days=hp["holdout_days"])
    train = [r for r in rows if r[0] <= cutoff]
    test = [r for r in rows if r[0] > cutoff]
    if not train or not test:
        common.fail(f"need more than {hp['holdout_days']} days of data to evaluate")
    model = fit(train, hp)
    last_value = {}
    for d, s, u in sorted(train):
        last_value[s] = u
    err, abs_err, naive_err, n = 0.0, 0.0, 0.0, 0
    holdout = []
    per_day = defaultdict(list)
    for day, store, units in test:
        p = predict(model, store, day)
        if p is None:
            continue
        holdout.append((day, p))
        per_day[day].append(p - units)
        err += (p - units) ** 2
        abs_err += abs(p - units)
        naive_err += (last_value[store] - units) ** 2
        n += 1
    if n == 0:
        common.fail("no holdout row belongs to a store seen in training")
    metrics = {"rmse": math.sqrt(err / n), "mae": abs_err / n, "naive_rmse": math.sqrt(naive_err / n), "holdout_rows": n}
    # The metric series: step k is the k-th day after the cutoff (how the error grows with the horizon).
    series = [
        {"step": (day - cutoff).days, "rmse": math.sqrt(sum(e * e for e in errs) / len(errs)), "mae": sum(abs(e) for e in errs) / len(errs)}
        for day, errs in sorted(per_day.items())
    ]
    return metrics, holdout, series


def histogram(values, bins=BASELINE_BINS):
    """Quantile bins: every bin holds about the same share of `values`."""
    ordered = sorted(values)
    edges = sorted({ordered[len(ordered) * i // bins] for i in range(1, bins)})
    counts = [0] * (len(edges) + 1)
    for v in values:
        counts[bisect.bisect_right(edges, v)] += 1
    # The drift baseline format (lambda/shared/monitoring/psi.ts): interior cut points and one
    # count per bin, value == cut point in the upper bin, the outer bins open-ended.
    return {"type": "numeric", "edges": edges, "counts": counts}


def drift_baseline(holdout):
    """Histograms of the holdout predictions: all of them, and per ISO weekday of the batch that
    would produce them (scoring on date D predicts D + 1, so day D + 1 is keyed by D's weekday)."""
    by_weekday = defaultdict(list)
    for day, p in holdout:
        by_weekday[str((day - timedelta(days=1)).isoweekday())].append(p)
    return {
        "prediction": histogram([p for _, p in holdout]),
        "predictionByWeekday": {k: histogram(v) for k, v in sorted(by_weekday.items())},
    }


def main():
    env = common.env()
    hp = common.hyperparameters(DEFAULTS)
    rows = read_rows(common.TRAINING_DIR)
    days = len({d for d, _, _ in rows})
    if days < hp["min_history_days"]:
        common.fail(f"only {days} days of data; at least {hp['min_history_days']} are needed (hyperparameter min_history_days)")
    metrics, holdout, series = evaluate(rows, hp)
    metrics["rows"] = len(rows)
    model = fit(rows, hp)
    model.update({"model": env["model"], "category": env["category"], "runId": env["run_id"], "executionDate": env["execution_date"]})
    common.write_json(os.path.join(common.MODEL_DIR, "model.json"), model)
    common.write_json(os.path.join(common.MODEL_DIR, "metrics.json"), metrics)
    common.write_json(os.path.join(common.OUTPUT_DATA_DIR, "metrics.json"), metrics)
    common.write_json(os.path.join(common.OUTPUT_DATA_DIR, "baseline.json"), drift_baseline(holdout))
    with open(os.path.join(common.OUTPUT_DATA_DIR, "metrics.jsonl"), "w") as f:
        f.writelines(json.dumps(point) + "\n" for point in series)
    print(f"trained {env['model']}/{env['category']} on {len(rows)} rows: rmse={metrics['rmse']:.3f} naive_rmse={metrics['naive_rmse']:.3f}")


if __name__ == "__main__":
    main()
