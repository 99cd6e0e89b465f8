"""`python -m nlpkit.ui`: the MLflow UI on the local run store, to compare training runs and sweeps.

    python -m nlpkit.ui                 # http://127.0.0.1:5000, store in experiments/
    python -m nlpkit.ui --port 5001

The server (`mlflow server`, with MLflow's job runner off) runs in a new session and Ctrl-C stops its
whole process group; nothing is left listening on the port afterwards.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

from nlpkit.cli.common import command_parser, configure_logging, fail
from nlpkit.tracking.processes import STOP_GRACE, port_is_free, stop_process_group, wait_until_ready
from nlpkit.tracking.ui import start_server

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("ui", __doc__)
    parser.add_argument("--port", type=int, default=5000, help="port to listen on (default: 5000)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--store", type=Path, default=None, help="local run store folder (default: experiments/)")
    parser.add_argument("--quiet", action="store_true", help="only warnings and errors")
    return parser


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    from nlpkit.tracking import store as tracking_store
    from nlpkit.tracking import views as tracking_views

    tracker = (
        tracking_store.Tracker.from_environment(args.store) if args.store else tracking_store.Tracker.from_environment()
    )
    uri = tracker.uri
    if not uri.startswith("sqlite:///"):
        print(f"runs are tracked on {uri} (MLFLOW_TRACKING_URI); open that server's UI instead")
        return 0
    if not port_is_free(args.host, args.port):
        return fail(f"port {args.port} on {args.host} is in use; choose another with --port")
    url = f"http://{args.host}:{args.port}"
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)
    process = start_server(uri, args.host, args.port)
    try:
        print(f"MLflow UI for {uri}\n  {url}   (starting, ~20 s; Ctrl-C stops it)", flush=True)
        with tracker.active():
            views = tracking_views.experiment_views()
        wait_until_ready(url, process)
        print(f"ready: {url}", flush=True)
        for name, path in views:
            print(f"  runs of {name}, best first: {url}{path}", flush=True)
        print(tracking_store.export_line(uri), file=sys.stderr, flush=True)
        return process.wait()
    except KeyboardInterrupt:
        print("stopping the MLflow UI", file=sys.stderr)
        return 0
    except (RuntimeError, TimeoutError) as error:
        return fail(str(error), code=1)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave the group half-stopped
        stop_process_group(process, grace=STOP_GRACE)


if __name__ == "__main__":
    sys.exit(main())
