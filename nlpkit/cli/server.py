"""`python -m nlpkit.server start|stop|status --dir DIR`: a team MLflow tracking server on PostgreSQL.

    python -m nlpkit.server start --dir /srv/nlpkit-server --port 5000   # prints the MLFLOW_TRACKING_URI to export
    python -m nlpkit.server status --dir /srv/nlpkit-server
    python -m nlpkit.server stop --dir /srv/nlpkit-server

The first `start` initialises PostgreSQL in DIR/postgres (as an unprivileged system user when run as
root); artifacts go to DIR/artifacts, logs to DIR/logs. MLflow listens on 127.0.0.1 only: for a team,
put it behind MLflow's basic-auth app and TLS (see the README, "Beyond one machine").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nlpkit.cli.common import command_parser, configure_logging, fail

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    from nlpkit.tracking.server import DEFAULT_PORT

    parser = command_parser("server", __doc__)
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--dir", type=Path, required=True, help="server folder: PostgreSQL data, artifacts, logs")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"MLflow port on 127.0.0.1 (default {DEFAULT_PORT})"
    )
    parser.add_argument("--workers", type=int, default=1, help="MLflow web workers (default 1)")
    parser.add_argument(
        "--auth",
        action="store_true",
        help="run MLflow's basic-auth app (users, permissions); the admin password is in DIR/server.json",
    )
    parser.add_argument("--json", action="store_true", help="status as JSON")
    parser.add_argument("--quiet", action="store_true", help="only warnings and errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.quiet)
    from nlpkit.errors import NlpkitError
    from nlpkit.tracking import server

    try:
        if args.command == "start":
            state = server.start(args.dir, args.port, args.workers, auth=args.auth)
            print(
                f"team server running ({state.start_seconds:.1f} s): {state.tracking_uri}, store in {state.dir}",
                file=sys.stderr,
            )
            print(f"export MLFLOW_TRACKING_URI={state.tracking_uri}")
            if state.auth:
                print(
                    f"export MLFLOW_TRACKING_USERNAME={server.ADMIN_USER}   "
                    f"# and MLFLOW_TRACKING_PASSWORD: admin_password in {state.dir}/server.json"
                )
            return 0
        if args.command == "stop":
            stopped = server.stop(args.dir)
            print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
            return 0
        info = server.status(args.dir)
    except NlpkitError as error:
        return fail(str(error))
    if args.json:
        print(json.dumps(info, indent=2))
    elif not info["initialised"]:
        print(f"{info['dir']}: no team server here (run start)")
    else:
        print(f"PostgreSQL: {'running on 127.0.0.1:' + str(info['postgres_port']) if info['postgres'] else 'stopped'}")
        if info["mlflow"]:
            print(
                f"mlflow server: running, {info['mlflow_processes']} processes, {info['rss_mb']:.0f} MB, "
                f"{'answering' if info['answering'] else 'not answering'} at {info['tracking_uri']}"
            )
        else:
            print("mlflow server: stopped")
    return 0 if info.get("mlflow") or args.command != "status" else 3


if __name__ == "__main__":
    sys.exit(main())
