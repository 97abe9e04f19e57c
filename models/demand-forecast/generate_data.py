"""Generates a small synthetic demand dataset: daily units per store with a weekly pattern, a slow
trend and noise. Deterministic for a given seed.

    python3 generate_data.py --out data/training --days 60 --stores 5 --category books --seed 7

With MLOPS_MODE=ingest it is the model's ingestion job (data.ingestion in model.yaml): for each
category in MLOPS_INGEST_CATEGORIES it writes the training snapshot of the window, the 60 days up
to the last day starting inside [MLOPS_INGEST_WINDOW_START, MLOPS_INGEST_WINDOW_END), to
/opt/ml/output/data/<category>/, and nothing else: the platform uploads, checks and files them
under the window's date, which the training it triggers reads. The same window always gives the
same rows, so a re-run delivers the same part.
"""
import argparse
import csv
import math
import os
import random
from datetime import date, datetime, timedelta, timezone

ML_ROOT = os.environ.get("MLOPS_ML_ROOT", "/opt/ml")


def generate(out_dir, days, stores, category, seed, end):
    rng = random.Random(f"{seed}-{category}")
    os.makedirs(out_dir, exist_ok=True)
    file = os.path.join(out_dir, f"{category}.csv")
    start = end - timedelta(days=days - 1)
    with open(file, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["date", "store_id", "units"])
        for s in range(stores):
            store = f"store-{s + 1:03d}"
            base = rng.uniform(20, 120)
            trend = rng.uniform(-0.1, 0.3)
            for d in range(days):
                day = start + timedelta(days=d)
                weekly = 1 + 0.3 * math.sin(2 * math.pi * day.weekday() / 7)
                units = max(0.0, base * weekly + trend * d + rng.gauss(0, base * 0.08))
                w.writerow([day.isoformat(), store, round(units, 1)])
    return file


def window_days(start, end):
    """The days whose midnight (UTC) falls in [start, end): the days a window delivers."""
    first = start.date() if start.time() == datetime.min.time() else start.date() + timedelta(days=1)
    days = []
    day = first
    while datetime.combine(day, datetime.min.time(), timezone.utc) < end:
        days.append(day)
        day += timedelta(days=1)
    return days


def ingest(categories, start, end, history_days=60, stores=5, seed=7):
    """Writes each category's snapshot (history up to the window's last day) under output/data/<category>/; returns the files."""
    days = window_days(start, end)
    if not days:
        print(f"no day starts in {start.isoformat()}..{end.isoformat()}: nothing to deliver")
        return []
    out = os.path.join(ML_ROOT, "output", "data")
    return [generate(os.path.join(out, c), history_days, stores, c, seed, days[-1]) for c in categories]


def instant(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def main():
    if os.environ.get("MLOPS_MODE") == "ingest":
        categories = [c for c in os.environ.get("MLOPS_INGEST_CATEGORIES", "default").split(",") if c]
        files = ingest(categories, instant(os.environ["MLOPS_INGEST_WINDOW_START"]), instant(os.environ["MLOPS_INGEST_WINDOW_END"]))
        print("\n".join(files))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="data/training")
    p.add_argument("--days", type=int, default=60)
    p.add_argument("--stores", type=int, default=5)
    p.add_argument("--category", default="default")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--end", default=date.today().isoformat(), help="last day (YYYY-MM-DD)")
    a = p.parse_args()
    print(generate(a.out, a.days, a.stores, a.category, a.seed, date.fromisoformat(a.end)))


if __name__ == "__main__":
    main()
