"""`make run`: DynamoDB on AWS's DynamoDB Local and S3 on MiniStack (both on 127.0.0.1, data kept in .local-data/),
the table and bucket from infra/, seeded roles and admin (and a demo catalog with DEMO=1), and the API served by
chalice's local server. Ctrl-C stops everything.

Environment: PORT (8000); FRESH=1 forgets the kept data first; DEMO=1 seeds the demo catalog; LOCAL_DATA_DIR
(.local-data); STANDIN=moto serves from the old embedded moto server instead (in memory, slow: for comparisons);
AWS_ENDPOINT_URL_DYNAMODB + AWS_ENDPOINT_URL_S3 given: use those stand-ins, start none (tests/live.py)."""
from __future__ import annotations

import functools
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# chalice local's server keeps the standard library's listen backlog of 5: 30 clients at once got resets.
LISTEN_BACKLOG = 1024
# A client that stops sending mid-request holds its own thread, and only for this long.
REQUEST_SOCKET_TIMEOUT = 60
# Requests inside the app at once (the others wait, connected, for a slot). In AWS each runs in its own Lambda;
# here they share one process and the machine with the stand-ins: 64 registrations at once are 64 argon2 hashes
# (64 MiB, ~1 s of CPU each), which starved DynamoDB Local until its calls passed the client's 5 s read timeout.
LOCAL_CONCURRENCY = int(os.environ.get("LOCAL_CONCURRENCY", "4"))


def _stage_environment(stage: str) -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    return env


def _start_moto(host: str, port: int) -> Any:
    from moto.server import ThreadedMotoServer

    from infra.standins import make_moto_dynamodb_atomic

    make_moto_dynamodb_atomic()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the stand-in's own access log is noise
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = os.environ["AWS_ENDPOINT_URL_S3"] = f"http://{host}:{port}"
    print(f"AWS stand-in (moto, in memory) on http://{host}:{port}", flush=True)
    return server


def _start_emulators(data_dir: Path, fresh: bool) -> list[Any]:
    from infra.emulators import start_emulators, wipe

    if fresh:
        wipe(data_dir)
        print(f"FRESH=1: forgot the data kept in {data_dir}", flush=True)
    print("Starting DynamoDB Local and MiniStack (S3)...", flush=True)
    dynamodb, s3 = start_emulators(data_dir, os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = dynamodb.url
    os.environ["AWS_ENDPOINT_URL_S3"] = s3.url
    print(f"DynamoDB Local on {dynamodb.url}, MiniStack S3 on {s3.url} (data in {data_dir})", flush=True)
    return [dynamodb, s3]


def _local_server(host: str, port: int) -> Any:
    """chalice's local server with a deep listen backlog and a handler that answers 500 rather than drop a
    connection when something below the app fails, so one request's failure never reaches another's socket."""
    from chalice import local
    from chalice.cli import create_local_server
    from chalice.cli.factory import CLIFactory

    from infra.standins import patch_local_gateway

    patch_local_gateway()
    local.ThreadedHTTPServer.request_queue_size = LISTEN_BACKLOG  # read by listen() when the server binds
    log = logging.getLogger("local-server")
    slots = threading.BoundedSemaphore(LOCAL_CONCURRENCY)

    class Handler(local.ChaliceRequestHandler):
        # The dev server writes headers and body separately; with Nagle's algorithm on, every answer waited
        # ~40 ms for the client's delayed ACK.
        disable_nagle_algorithm = True
        timeout = REQUEST_SOCKET_TIMEOUT

        def _generic_handle(self) -> None:
            try:
                with slots:
                    super()._generic_handle()
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                self.close_connection = True  # that client left or went silent: its connection only
            except Exception:  # noqa: BLE001 - the app answers its own errors; this is chalice's layer failing
                log.exception("local server failed on %s %s", self.command, self.path)
                self.close_connection = True
                body = b'{"success": false, "error": "Internal server error"}'
                try:
                    self.send_response(500)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the app logs one JSON line per request already

    # chalice writes the stage's config values into the environ it is given; a copy keeps explicit
    # variables (CORS_ORIGINS=..., TABLE_NAME=...) winning over .chalice/config.json, as for the code above.
    server = create_local_server(CLIFactory(str(ROOT), environ=dict(os.environ)), host, port, "local")
    server.server.RequestHandlerClass = functools.partial(Handler, **server._wrapped_handler.keywords)
    server.server.daemon_threads = True
    return server


def main() -> None:
    host = "127.0.0.1"
    port = int(os.environ.get("PORT", "8000"))
    for key, value in _stage_environment("local").items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    data_dir = Path(os.environ.get("LOCAL_DATA_DIR") or ROOT / ".local-data")
    stoppable: list[Any] = []

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        if os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") and os.environ.get("AWS_ENDPOINT_URL_S3"):
            print("Using the stand-ins at AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_S3", flush=True)
        elif os.environ.get("STANDIN") == "moto":
            stoppable.append(_start_moto(host, int(os.environ.get("AWS_PORT", "5055"))))
        else:
            stoppable.extend(_start_emulators(data_dir, os.environ.get("FRESH") == "1"))
        serve(host, port)
    except KeyboardInterrupt:
        pass
    finally:
        for process in reversed(stoppable):
            process.stop()
        print("stopped", flush=True)


def serve(host: str, port: int) -> None:
    import boto3

    from infra.resources import create_local_resources

    region = os.environ["AWS_DEFAULT_REGION"]
    origins = [o for o in os.environ.get("CORS_ORIGINS", "").split(",") if o]
    create_local_resources(boto3.client("dynamodb", region_name=region), boto3.client("s3", region_name=region),
                           os.environ["TABLE_NAME"], os.environ["BUCKET_NAME"], origins)
    from chalicelib.identity.seed import seed

    email = os.environ.get("ADMIN_EMAIL", "admin@example.com")
    password = os.environ.get("ADMIN_PASSWORD", "ChangeMe123!")
    created = seed(email, password)
    print(f"Admin account: {email} / {password} ({'created' if created else 'already there'})", flush=True)

    local = _local_server(host, port)
    url = f"http://{host}:{port}"
    if os.environ.get("DEMO") == "1":
        from demo_catalog import seed_demo_in_background  # scripts/demo_catalog.py

        seed_demo_in_background(url, email, password)
    stop_sweeping = _sweep_on_a_timer(SWEEP_EVERY_SECONDS)
    print(f"API on {url}  (GET /health, GET /openapi.json)", flush=True)
    try:
        local.serve_forever()
    finally:
        stop_sweeping.set()
        local.server.server_close()


SWEEP_EVERY_SECONDS = 60  # the deployed schedule's rate (chalicelib/catalog/reservations/sweep_function.py)


def _sweep_on_a_timer(every: float) -> threading.Event:
    """Run the reservation sweep the deployed schedule runs, every `every` seconds on a daemon thread (each
    run bounded in count and time by the sweep itself; its failures are logged, never fatal)."""
    from chalicelib.catalog.reservations.services import sweep

    stop = threading.Event()
    log = logging.getLogger("reservation-sweep")

    def loop() -> None:
        while not stop.wait(every):
            try:
                result = sweep()
                if result["expired"] or result["skipped"]:
                    print(f"reservation sweep: {result}", flush=True)
            except Exception:  # noqa: BLE001 - the next run tries again; the server keeps serving
                log.exception("reservation sweep failed")

    threading.Thread(target=loop, name="reservation-sweep", daemon=True).start()
    return stop


if __name__ == "__main__":
    main()
