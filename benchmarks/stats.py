"""Small helpers to report throughput and latency percentiles the same way in every benchmark."""

from __future__ import annotations

import statistics


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def report(name: str, count: int, seconds: float, latencies_ms: list[float]) -> dict[str, float]:
    """Print one line of figures and return them."""
    rate = count / seconds if seconds > 0 else float("nan")
    figures = {
        "rate": rate,
        "p50": percentile(latencies_ms, 0.50),
        "p99": percentile(latencies_ms, 0.99),
        "mean": statistics.fmean(latencies_ms) if latencies_ms else float("nan"),
    }
    print(
        f"{name:<34} {count:>6} msgs  {rate:>9.1f}/s  p50 {figures['p50']:>8.2f} ms  "
        f"p99 {figures['p99']:>8.2f} ms",
        flush=True,
    )
    return figures
