"""Draw the rate-limit timelines that ``python -m benchmarks --only ratelimit --plots F`` wrote.

``python -m benchmarks._plots F OUTDIR``: one PNG per plotted shape (matplotlib is only
installed in the nox ``bench`` session).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SHAPES = {
    "bucket 20/s halved from 30 s to 60 s, Retry-After": "ratelimit-bucket-change.png",
    "window 100 per 5 s, no Retry-After": "ratelimit-window.png",
    "in flight at most 10, Retry-After": "ratelimit-inflight.png",
    "bucket 200/s, burst 1, Retry-After": "ratelimit-burst1.png",
}


def plot(name: str, data: dict[str, Any], out: Path) -> None:
    """Paced rate, achieved rate, 429s and calls in flight over time, for one shape."""
    import matplotlib  # type: ignore[import-not-found, unused-ignore]

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import-not-found, unused-ignore]

    rows = data["timeline"]
    times = [row[0] for row in rows]
    paced = [row[1] if row[1] >= 0 else float("nan") for row in rows]
    in_flight = [row[2] for row in rows]
    done = [row[3] for row in rows]
    refused = [row[4] for row in rows]
    step = 4  # rows are 0.25 s apart: rates over one second
    achieved = [float("nan")] * step + [
        (done[i] - done[i - step]) / (times[i] - times[i - step]) for i in range(step, len(rows))
    ]
    limited = [float("nan")] * step + [
        (refused[i] - refused[i - step]) / (times[i] - times[i - step])
        for i in range(step, len(rows))
    ]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
    top.plot(times, achieved, label="deletes/s (server side, 1 s average)", color="tab:green")
    top.plot(times, paced, label="client's paced rate", color="tab:blue", linewidth=1)
    top.plot(times, limited, label="429s/s", color="tab:red", linewidth=1)
    top.set_ylabel("requests/s")
    top.set_title(f"{name} (floor {data['floor']:.0f} s, concurrency 50, simulated time)")
    top.legend(loc="upper right", fontsize="small")
    bottom.plot(times, in_flight, color="tab:purple", linewidth=1)
    bottom.set_ylabel("calls holding a ticket")
    bottom.set_xlabel("seconds")
    figure.tight_layout()
    figure.savefig(out, dpi=90)
    plt.close(figure)


def main(argv: list[str]) -> None:
    """Read the timelines and write the PNGs."""
    source, outdir = Path(argv[0]), Path(argv[1])
    outdir.mkdir(parents=True, exist_ok=True)
    timelines = json.loads(source.read_text(encoding="utf-8"))
    for name, filename in SHAPES.items():
        if name in timelines:
            plot(name, timelines[name], outdir / filename)
            print(f"wrote {outdir / filename}")


if __name__ == "__main__":
    main(sys.argv[1:])
