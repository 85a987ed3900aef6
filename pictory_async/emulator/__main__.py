"""``python -m pictory_async.emulator``: serve the emulator over loopback until interrupted.

The first line on stdout is JSON with ``base_url``, ``cdn_base_url``, ``admin_url``,
``api_key``, ``api_keys`` and ``pid``, for scripts to read; logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
from collections.abc import Sequence

from ._core import Emulator
from ._faults import Faults
from ._server import bind, origin, uvicorn_config

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pictory_async.emulator",
        description=(
            "A local emulator of Pictory's API (projects, videos, transcriptions, "
            "look-ups), with fault injection."
        ),
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    add("--port", type=int, default=0, help="API port (default 0: a free port)")
    add("--cdn-port", type=int, default=0, help="CDN port (default 0: a free port)")
    add("--projects", type=int, default=100, help="projects of the main account")
    add("--other-projects", type=int, default=None, help="projects of each other account")
    add("--seed", type=int, default=0, help="seed of all generated data and faults")
    add("--page-size", type=int, default=25, help="items per list page")
    add("--in-progress-share", type=float, default=0.05, help="share of projects rendering")
    add(
        "--render-seconds",
        type=float,
        default=60.0,
        help="seconds a render takes: one started through the API, or one seeded running",
    )
    add("--job-retention", type=float, default=7 * 24 * 3600.0, help="seconds finished jobs stay")
    add("--latency-ms", type=float, default=0.0, help="fixed latency of API responses")
    add("--jitter-ms", type=float, default=0.0, help="extra random latency, up to this")
    add(
        "--rate-limit",
        type=float,
        default=None,
        help="limit per API key: requests/s (bucket), per period (window, sliding), at once "
        "(inflight)",
    )
    add("--burst", type=int, default=None, help="token bucket size (default: rate limit)")
    add(
        "--rate-limit-shape",
        choices=("bucket", "window", "sliding", "inflight"),
        default="bucket",
        help="token bucket, fixed window, sliding log, or cap on requests in flight",
    )
    add("--rate-limit-period", type=float, default=1.0, help="seconds of a window or sliding log")
    add(
        "--rate-limit-change",
        action="append",
        default=[],
        metavar="SECONDS:FACTOR",
        help="from SECONDS on, the limit is FACTOR times --rate-limit (repeatable)",
    )
    add("--retry-after", choices=("seconds", "date", "none"), default="seconds")
    add("--error-rate", type=float, default=0.0, help="share of 500/502/503 answers")
    add("--drop-rate", type=float, default=0.0, help="share of connections dropped")
    add("--drop-after-delete-rate", type=float, default=0.0, help="share of lost DELETE answers")
    add("--create-error-rate", type=float, default=0.0, help="share of 5xx job-starting POSTs")
    add("--drop-after-create-rate", type=float, default=0.0, help="share of lost job answers")
    add("--webhook-lost-rate", type=float, default=0.0, help="share of webhooks never sent")
    add("--webhook-duplicate-rate", type=float, default=0.0, help="share of webhooks sent twice")
    add(
        "--webhook-out-of-order-rate",
        type=float,
        default=0.0,
        help="share of finals held back and followed by a stale body",
    )
    add("--webhook-delay", type=float, default=0.0, help="random extra delay of webhooks, up to")
    add("--media-truncate-rate", type=float, default=0.0, help="share of cut-off downloads")
    add("--media-bytes-per-second", type=float, default=None, help="throttle downloads")
    add("--media-redirect", default=None, metavar="ORIGIN", help="302 every media GET to ORIGIN")
    add("--small-media", action="store_true", help="media of a few KiB (many fast backups)")
    add("--no-admin", action="store_true", help="do not serve the /_emulator/ admin routes")
    add("--log-level", default="warning", help="uvicorn log level (default: warning)")
    return parser


def _change(text: str) -> tuple[float, float]:
    at, sep, factor = text.partition(":")
    try:
        if not sep:
            raise ValueError
        return float(at), float(factor)
    except ValueError:
        raise ValueError(f"--rate-limit-change takes SECONDS:FACTOR, got {text!r}") from None


def _emulator(args: argparse.Namespace) -> Emulator:
    faults = Faults(
        latency=args.latency_ms / 1000,
        jitter=args.jitter_ms / 1000,
        rate_limit=args.rate_limit,
        burst=args.burst,
        rate_limit_shape=args.rate_limit_shape,
        rate_limit_period=args.rate_limit_period,
        rate_limit_changes=[_change(text) for text in args.rate_limit_change],
        retry_after=args.retry_after,
        error_rate=args.error_rate,
        drop_rate=args.drop_rate,
        drop_after_delete_rate=args.drop_after_delete_rate,
        create_error_rate=args.create_error_rate,
        drop_after_create_rate=args.drop_after_create_rate,
        webhook_lost_rate=args.webhook_lost_rate,
        webhook_duplicate_rate=args.webhook_duplicate_rate,
        webhook_out_of_order_rate=args.webhook_out_of_order_rate,
        webhook_delay=args.webhook_delay,
        media_truncate_rate=args.media_truncate_rate,
        media_bytes_per_second=args.media_bytes_per_second,
        media_redirect=args.media_redirect,
    )
    return Emulator(
        projects=args.projects,
        other_projects=args.other_projects,
        seed=args.seed,
        page_size=args.page_size,
        in_progress_share=args.in_progress_share,
        render_duration=args.render_seconds,
        job_retention=args.job_retention,
        small_media=args.small_media,
        faults=faults,
        admin=not args.no_admin,
    )


async def _serve(emulator: Emulator, args: argparse.Namespace) -> None:
    import uvicorn

    sockets = [bind(args.host, args.port), bind(args.host, args.cdn_port)]
    emulator.set_origins(origin(sockets[0]), origin(sockets[1]))
    server = uvicorn.Server(uvicorn_config(emulator.app, log_level=args.log_level))
    gc.collect()
    gc.freeze()  # the seeded store is long-lived: keep it out of every collection
    info = emulator.info()
    info["pid"] = os.getpid()
    print(json.dumps(info), flush=True)
    emulator.webhooks.start()
    try:
        await server.serve(sockets=sockets)
    finally:
        await emulator.webhooks.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, print the origins and keys, and serve until SIGINT or SIGTERM."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        emulator = _emulator(args)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        import uvloop
    except ImportError:  # pragma: no cover - depends on the environment
        asyncio.run(_serve(emulator, args))
    else:
        uvloop.run(_serve(emulator, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
