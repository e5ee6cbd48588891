"""The packaged template (dist/) deployed into MiniStack, a local AWS emulator, with the deploy steps
docs/deployment.md gives for AWS: `cloudformation package` (the zip and the template to an artifacts bucket),
the JWT keys in SSM, `cloudformation deploy` (a change set with the SAM transform, then executed), the seed
through the deployed Seed function. Used by `make deploy-local` (scripts/deploy_local.py), the deployed smoke
tests (tests/deployed.py) and bench/deployed.py. Dev and test only: nothing here is deployed.

MiniStack runs in its own venv (scripts/ministack.sh) and its functions on that interpreter, so its process
gets a bare environment: nothing of ours (PYTHONPATH, AWS_ENDPOINT_URL_*, the test stage) reaches them.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MINISTACK = ROOT / "scripts" / "ministack.sh"
REGION = "eu-west-1"
STACK_NAME = "catalog-local"
ARTIFACTS_BUCKET = "catalog-local-artifacts"
KEYS_PARAMETER = "/catalog/prod/jwt-keys"  # the template's default JwtKeysParameterName
LOCAL_KEYS = "local1:deploy-local-signing-key-0123456789abcdef"  # a local stack only, never a real secret
SEED_FUNCTION = "Seed"  # logical id of chalicelib/identity/seed_function.py's function
FALLBACK_FUNCTION = "Fallback"
ANY_METHOD = "x-amazon-apigateway-any-method"


@dataclass
class Emulator:
    """A running MiniStack: its endpoint, its process group (it and its Lambda workers) and its scratch folder."""

    endpoint: str
    process: subprocess.Popen
    workdir: Path

    def stop(self) -> None:
        """Stop MiniStack and every function worker it spawned, then remove its scratch folder."""
        stop_process_group(self.process.pid, reap=self.process.poll)
        shutil.rmtree(self.workdir, ignore_errors=True)


def stop_process_group(pgid: int, grace: float = 5, reap: Any = None) -> None:
    """SIGTERM the group, SIGKILL whatever is left after `grace` seconds. `reap` (our child's poll) lets a
    leader that has exited leave the group: a zombie still counts as a member."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if reap is not None:
            reap()
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if reap is not None:
        time.sleep(0.2)
        reap()


def start_emulator(port: int, timeout: float = 60) -> Emulator:
    """MiniStack on 127.0.0.1:port (installing its venv on first use), ready when its health check answers."""
    import requests

    subprocess.run([str(MINISTACK), "install"], check=True, stdout=subprocess.DEVNULL)
    workdir = Path(tempfile.mkdtemp(prefix="catalog-ministack-", dir=_scratch_root()))
    (workdir / "tmp").mkdir()
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "MINISTACK_HOME", "XDG_CACHE_HOME")}
    # Function code, state and S3 data under our folder, so stopping removes all of it.
    env.update(TMPDIR=str(workdir / "tmp"), STATE_DIR=str(workdir / "state"), S3_DATA_DIR=str(workdir / "s3"),
               LOG_LEVEL="WARNING")
    log = open(workdir / "ministack.log", "w")
    process = subprocess.Popen([str(MINISTACK), "start", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    emulator = Emulator(f"http://127.0.0.1:{port}", process, workdir)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = (workdir / "ministack.log").read_text()[-2000:]
            emulator.stop()
            raise RuntimeError(f"MiniStack exited with {process.returncode}:\n{text}")
        try:
            if requests.get(f"{emulator.endpoint}/_ministack/health", timeout=1).status_code == 200:
                return emulator
        except requests.RequestException:
            pass
        time.sleep(0.2)
    emulator.stop()
    raise RuntimeError(f"MiniStack did not answer on port {port} within {timeout:.0f} s")


def _scratch_root() -> str | None:
    """Each function's worker unpacks the zip (10 MB) into this folder: in memory when /dev/shm is there, where
    removing it is instant (on this disk, deleting a dozen unpacked copies took ~20 s). MINISTACK_SCRATCH wins."""
    if os.environ.get("MINISTACK_SCRATCH"):
        return os.environ["MINISTACK_SCRATCH"]
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def client(name: str, endpoint: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(name, region_name=REGION, endpoint_url=endpoint, aws_access_key_id="local",
                        aws_secret_access_key="local", config=Config(retries={"max_attempts": 2}))


@dataclass
class Deployment:
    """What `deploy` left running: the API's base URL and the stack's resources."""

    endpoint: str
    api_url: str
    api_id: str
    outputs: dict[str, str]
    physical: dict[str, str]  # logical id → physical id
    template: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def functions(self) -> list[str]:
        return [k for k, v in self.template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"]


def package(endpoint: str, dist: Path) -> str:
    """`aws cloudformation package`: the zip to the artifacts bucket once, every CodeUri pointed at it; the
    template goes there too (over 51,200 bytes, CloudFormation only takes it from S3). Returns its URL."""
    s3 = client("s3", endpoint)
    if ARTIFACTS_BUCKET not in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
        s3.create_bucket(Bucket=ARTIFACTS_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    code = (dist / "deployment.zip").read_bytes()
    code_key = hashlib.md5(code).hexdigest()  # the CLI names the artifact by its MD5 too
    s3.put_object(Bucket=ARTIFACTS_BUCKET, Key=code_key, Body=code)
    template = json.loads((dist / "template.json").read_text())
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function" and resource["Properties"].get("CodeUri") == "./deployment.zip":
            resource["Properties"]["CodeUri"] = f"s3://{ARTIFACTS_BUCKET}/{code_key}"
    body = json.dumps(template).encode()
    template_key = f"{hashlib.md5(body).hexdigest()}.template"
    s3.put_object(Bucket=ARTIFACTS_BUCKET, Key=template_key, Body=body)
    return f"{endpoint}/{ARTIFACTS_BUCKET}/{template_key}"


def put_keys(endpoint: str, value: str = LOCAL_KEYS) -> None:
    """`aws ssm put-parameter`: the signing keys in Parameter Store, never in the template."""
    client("ssm", endpoint).put_parameter(Name=KEYS_PARAMETER, Type="SecureString", Value=value, Overwrite=True)


def deploy_stack(endpoint: str, template_url: str, timeout: float = 300) -> dict[str, Any]:
    """`aws cloudformation deploy`: a CREATE or UPDATE change set (SAM transform included), executed."""
    cfn = client("cloudformation", endpoint)
    try:
        status = cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["StackStatus"]
        kind = "CREATE" if status == "REVIEW_IN_PROGRESS" else "UPDATE"
    except cfn.exceptions.ClientError:
        kind = "CREATE"
    name = f"deploy-{int(time.time() * 1000)}"
    cfn.create_change_set(StackName=STACK_NAME, ChangeSetName=name, ChangeSetType=kind, TemplateURL=template_url,
                          Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
                          Parameters=[{"ParameterKey": "JwtKeysParameterName", "ParameterValue": KEYS_PARAMETER}])
    change_set = _wait(lambda: cfn.describe_change_set(StackName=STACK_NAME, ChangeSetName=name), "Status",
                       timeout)
    if change_set["Status"] == "FAILED":
        if "didn't contain changes" in change_set.get("StatusReason", "") or "No updates" in change_set.get(
                "StatusReason", ""):
            return cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]  # what the CLI calls "No changes"
        raise RuntimeError(f"change set failed: {change_set.get('StatusReason')}")
    cfn.execute_change_set(StackName=STACK_NAME, ChangeSetName=name)
    stack = _wait(lambda: cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0], "StackStatus", timeout)
    if stack["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        events = cfn.describe_stack_events(StackName=STACK_NAME)["StackEvents"]
        failed = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}" for e in events
                  if e["ResourceStatus"].endswith("FAILED")]
        raise RuntimeError(f"stack {stack['StackStatus']}: {stack.get('StackStatusReason')}; {failed[:5]}")
    return stack


def _wait(describe: Any, key: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = describe()
        if not str(found[key]).endswith(("IN_PROGRESS", "PENDING")) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def replay_ignored_api_parts(endpoint: str, api_id: str, stage: str, body: dict[str, Any],
                             physical: dict[str, str]) -> list[str]:
    """MiniStack's import of the swagger Body drops two things the template declares: the
    `x-amazon-apigateway-any-method` operations (Fallback's 405 on every path) and
    `x-amazon-apigateway-gateway-responses` (the 404/413/429/5xx envelopes). Put them in through the API Gateway
    API from the same Body, only where missing, and redeploy the stage; returns what was added."""
    apigw = client("apigateway", endpoint)
    resources = {r["path"]: r for r in _paged(apigw.get_resources, restApiId=api_id, embed=["methods"])}
    function_arn = client("lambda", endpoint).get_function(
        FunctionName=physical[FALLBACK_FUNCTION])["Configuration"]["FunctionArn"]
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    added = []
    for path, operations in body["paths"].items():
        resource = resources[path]
        if ANY_METHOD not in operations or "ANY" in resource.get("resourceMethods", {}):
            continue
        apigw.put_method(restApiId=api_id, resourceId=resource["id"], httpMethod="ANY", authorizationType="NONE")
        apigw.put_integration(restApiId=api_id, resourceId=resource["id"], httpMethod="ANY", type="AWS_PROXY",
                              integrationHttpMethod="POST", uri=uri)
        added.append(f"ANY {path}")
    present = {r["responseType"] for r in apigw.get_gateway_responses(restApiId=api_id)["items"]
               if not r.get("defaultResponse", True)}
    for response_type, response in body.get("x-amazon-apigateway-gateway-responses", {}).items():
        if response_type in present:
            continue
        apigw.put_gateway_response(restApiId=api_id, responseType=response_type, statusCode=response["statusCode"],
                                   responseParameters=response.get("responseParameters", {}),
                                   responseTemplates=response.get("responseTemplates", {}))
        added.append(f"gateway response {response_type}")
    if added:
        apigw.create_deployment(restApiId=api_id, stageName=stage,
                                description="MiniStack: the Body's any-method and gateway responses")
    return added


def _paged(call: Any, **kwargs: Any) -> list[dict[str, Any]]:
    items, position = [], None
    while True:
        page = call(**kwargs, limit=500, **({"position": position} if position else {}))
        items.extend(page.get("items", []))
        position = page.get("position")
        if not position:
            return items


def seed(endpoint: str, physical: dict[str, str], email: str, password: str) -> dict[str, Any]:
    """`aws lambda invoke` of the stack's Seed function: built-in roles, then the admin unless it exists."""
    reply = client("lambda", endpoint).invoke(FunctionName=physical[SEED_FUNCTION],
                                              Payload=json.dumps({"email": email, "password": password}).encode())
    payload = json.loads(reply["Payload"].read() or b"null")
    if reply.get("FunctionError"):
        raise RuntimeError(f"the Seed function failed: {payload}")
    return payload


def deploy(endpoint: str, dist: Path, admin_email: str, admin_password: str) -> Deployment:
    """Every step of docs/deployment.md against `endpoint`, then the emulator's gaps replayed (see above)."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    template_url = package(endpoint, dist)
    put_keys(endpoint)
    seconds["package"] = time.perf_counter() - started
    stack = deploy_stack(endpoint, template_url)
    seconds["stack"] = time.perf_counter() - started - seconds["package"]
    cfn = client("cloudformation", endpoint)
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cfn.describe_stack_resources(StackName=STACK_NAME)["StackResources"]}
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    template = json.loads((dist / "template.json").read_text())
    api = template["Resources"]["RestAPI"]["Properties"]
    api_id = outputs["RestAPIId"]
    replay_ignored_api_parts(endpoint, api_id, api["StageName"], api["DefinitionBody"], physical)
    mark = time.perf_counter()
    seed(endpoint, physical, admin_email, admin_password)
    seconds["seed"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    return Deployment(endpoint, f"{endpoint}/_aws/execute-api/{api_id}/{api['StageName']}", api_id, outputs,
                      physical, template, seconds)
