"""`make package`: dist/template.json (one Lambda function per route, table, bucket, roles) + dist/deployment.zip.

    python scripts/package.py [--stage prod] [--out dist] [--merge-template extra.json]

Steps: `chalice package --pkg-format cloudformation` → drop from the zip what the Lambda Python runtime already
has (boto3, botocore and their dependencies) → infra.template.build() → optional deep merge → resource count.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# In the Lambda Python runtime already (boto3 and what it depends on): bundling them costs ~16 MB zipped
# and cold-start time for nothing. Top-level names in the zip, their *.dist-info / *.data included.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
# Packaging imports app.py; with no key here, settings would read SSM (which needs AWS) at import.
_PACKAGING_KEY = "packaging:not-a-real-key-only-for-import-0123456789"


def stage_environment(stage: str) -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    return env


def chalice_package(stage: str, target: Path) -> None:
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-west-1"),
           "JWT_KEYS": _PACKAGING_KEY}
    chalice = Path(sys.executable).parent / "chalice"
    subprocess.run([str(chalice), "package", "--pkg-format", "cloudformation", "--stage", stage, str(target)],
                   cwd=ROOT, env=env, check=True)


def _provided(name: str) -> bool:
    top = name.split("/", 1)[0]
    base = top.split("-", 1)[0] if top.endswith((".dist-info", ".data")) else top.removesuffix(".py")
    candidates = {base, base.replace("python_", "")}
    return bool(candidates & set(RUNTIME_PROVIDED))


def slim_zip(source: Path, target: Path) -> tuple[int, int, list[str]]:
    """Copy the deployment package without the runtime-provided libraries; returns (before, after, dropped)."""
    dropped: set[str] = set()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if _provided(info.filename):
                dropped.add(info.filename.split("/", 1)[0])
                continue
            zout.writestr(info, zin.read(info.filename))
    return source.stat().st_size, target.stat().st_size, sorted(dropped)


def app_shape(stage: str) -> Any:
    """Import the app as the stage would (with a throwaway key) and read its routes' modules."""
    from infra.template import AppShape

    for key, value in stage_environment(stage).items():
        os.environ.setdefault(key, value)
    os.environ["JWT_KEYS"] = _PACKAGING_KEY
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    from app import app

    modules = {(method, path): entry.view_function.__module__
               for path, methods in app.routes.items() for method, entry in methods.items()}
    functions = [f.name for f in app.pure_lambda_functions] + [e.name for e in app.event_sources]
    return AppShape(route_modules=modules, lambda_functions=functions)


def package(stage: str, out: Path, merge: Path | None, config_path: Path) -> dict[str, Any]:
    from infra.template import MAX_RESOURCES, StageSettings, build, count_resources, deep_merge, expand

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        chalice_package(stage, Path(tmp) / "chalice")
        sam = json.loads((Path(tmp) / "chalice" / "sam.json").read_text())
        before, after, dropped = slim_zip(Path(tmp) / "chalice" / "deployment.zip", out / "deployment.zip")
    env = stage_environment(stage)
    config = json.loads(config_path.read_text())
    settings = StageSettings(app_name=json.loads((ROOT / ".chalice" / "config.json").read_text())["app_name"],
                             stage=stage, table_name=env["TABLE_NAME"], bucket_prefix=env["BUCKET_NAME"],
                             jwt_keys_parameter=env.get("JWT_KEYS_PARAMETER", f"/catalog/{stage}/jwt-keys"),
                             cors_origins=[o for o in env.get("CORS_ORIGINS", "").split(",") if o])
    template = build(sam, app_shape(stage), config, settings)
    if merge is not None:
        template = deep_merge(template, json.loads(merge.read_text()))
    (out / "template.json").write_text(json.dumps(template, indent=2, ensure_ascii=False) + "\n")

    functions = [k for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"]
    expanded = count_resources(expand(template))
    total = sum(expanded.values())
    print(f"deployment.zip: {before / 1e6:.1f} MB from chalice → {after / 1e6:.1f} MB without {', '.join(dropped)}")
    print(f"template: {len(functions)} Lambda functions, {len(template['Resources'])} resources in the SAM template, "
          f"{total} after the SAM transform (limit {MAX_RESOURCES})")
    for kind, n in sorted(expanded.items()):
        print(f"  {n:4d} {kind}")
    if total > MAX_RESOURCES:
        raise SystemExit(f"{total} resources: over CloudFormation's {MAX_RESOURCES} per stack")
    return {"functions": len(functions), "resources": total, "zip_bytes": after}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--merge-template", type=Path, default=None)
    parser.add_argument("--config", type=Path, default=ROOT / "infra" / "functions.json")
    args = parser.parse_args()
    package(args.stage, args.out, args.merge_template, args.config)


if __name__ == "__main__":
    main()
