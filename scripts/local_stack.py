"""`make run`: an embedded AWS stand-in (moto server) on 127.0.0.1, the table and bucket from infra/,
seeded roles and admin, and the API served by chalice's local server. Ctrl-C stops everything."""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _stage_environment(stage: str) -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    return env


def main() -> None:
    host = "127.0.0.1"
    port = int(os.environ.get("PORT", "8000"))
    aws_port = int(os.environ.get("AWS_PORT", "5055"))
    for key, value in _stage_environment("local").items():
        os.environ.setdefault(key, value)
    external = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")  # e.g. DynamoDB Local; else our embedded moto
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    server = None
    if not external:
        from moto.server import ThreadedMotoServer

        from infra.standins import make_moto_dynamodb_atomic

        make_moto_dynamodb_atomic()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the stand-in's own access log is noise
        server = ThreadedMotoServer(ip_address=host, port=aws_port, verbose=False)
        server.start()
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://{host}:{aws_port}"
        os.environ.setdefault("AWS_ENDPOINT_URL_S3", f"http://{host}:{aws_port}")
        print(f"AWS stand-in (moto) on http://{host}:{aws_port}", flush=True)

    import boto3

    from infra.resources import create_local_resources
    from infra.standins import patch_local_gateway

    region = os.environ["AWS_DEFAULT_REGION"]
    origins = [o for o in os.environ.get("CORS_ORIGINS", "").split(",") if o]
    create_local_resources(boto3.client("dynamodb", region_name=region), boto3.client("s3", region_name=region),
                           os.environ["TABLE_NAME"], os.environ["BUCKET_NAME"], origins)
    from chalicelib.identity.seed import seed

    email = os.environ.get("ADMIN_EMAIL", "admin@example.com")
    password = os.environ.get("ADMIN_PASSWORD", "ChangeMe123!")
    created = seed(email, password)
    print(f"Admin account: {email} / {password} ({'created' if created else 'already there'})", flush=True)

    patch_local_gateway()
    from chalice.cli import create_local_server
    from chalice.cli.factory import CLIFactory
    from chalice.local import ChaliceRequestHandler

    # The dev server writes headers and body separately; with Nagle's algorithm on, every answer waited ~40 ms
    # for the client's delayed ACK.
    ChaliceRequestHandler.disable_nagle_algorithm = True

    # chalice writes the stage's config values into the environ it is given; a copy keeps explicit
    # variables (CORS_ORIGINS=..., TABLE_NAME=...) winning over .chalice/config.json, as for the code above.
    local = create_local_server(CLIFactory(str(ROOT), environ=dict(os.environ)), host, port, "local")

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"API on http://{host}:{port}  (GET /health, GET /openapi.json)", flush=True)
    try:
        local.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        local.server.server_close()
        if server is not None:
            server.stop()
        print("stopped", flush=True)


if __name__ == "__main__":
    main()
