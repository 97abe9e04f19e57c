"""Generates a small synthetic demand dataset: daily units per store with a weekly pattern, a slow
trend and noise. Deterministic for a given seed.

    python3 generate_data.py --out data/training --days 60 --stores 5 --category books --seed 7
"""
import argparse
import csv
import math
import os
import random
from datetime import date, timedelta


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


def main():
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
