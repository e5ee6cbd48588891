"""Deploy the expanded template into moto's CloudFormation, then call route functions the way Lambda would:
the unpacked deployment.zip, each function's own environment as CloudFormation resolved it, its handler,
and API Gateway proxy events. moto's CloudFormation cannot take a RestApi from a swagger Body, so the
gateway's Deployment and Stage are left out of the stack and the Body is imported with PutRestApi instead.
moto also skips (without failing) AWS::S3::BucketPolicy, the bucket's PublicAccessBlock/CORS/lifecycle, the
table's TTL and the functions' LoggingConfig: test_template.py checks those in the template itself."""
from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from infra.template import expand
from tests.deploy.conftest import Packaged, clean_env

REGION = "eu-west-1"
MOTO_LEFT_OUT = ("AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _client(name: str, endpoint: str) -> Any:
    import boto3

    return boto3.client(name, region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def stack(packaged: Packaged, moto_endpoint: str) -> dict[str, Any]:
    s3 = _client("s3", moto_endpoint)
    s3.create_bucket(Bucket="deploy-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.upload_file(str(packaged.zip), "deploy-artifacts", "deployment.zip")
    template = expand(packaged.template, code_uri="s3://deploy-artifacts/deployment.zip")
    body = template["Resources"]["RestAPI"]["Properties"].pop("Body")
    template["Resources"]["RestAPI"]["Properties"]["Name"] = body["info"]["title"]
    for name in [k for k, v in template["Resources"].items() if v["Type"] in MOTO_LEFT_OUT]:
        del template["Resources"][name]
    template["Outputs"].pop("EndpointURL", None)
    s3.put_object(Bucket="deploy-artifacts", Key="template.json", Body=json.dumps(template).encode())
    # The signing keys live in Parameter Store, never in the template.
    _client("ssm", moto_endpoint).put_parameter(
        Name="/catalog/prod/jwt-keys", Type="SecureString",
        Value="prod1:prod-signing-key-0123456789abcdef0123456789")
    cfn = _client("cloudformation", moto_endpoint)
    cfn.create_stack(StackName="catalog", Capabilities=["CAPABILITY_IAM"],
                     TemplateURL=f"https://deploy-artifacts.s3.{REGION}.amazonaws.com/template.json")
    described = cfn.describe_stacks(StackName="catalog")["Stacks"][0]
    assert described["StackStatus"] == "CREATE_COMPLETE", described.get("StackStatusReason")
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cfn.list_stack_resources(StackName="catalog")["StackResourceSummaries"]}
    return {"template": template, "body": body, "physical": physical,
            "outputs": {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}}


def test_the_stack_creates_the_table_the_bucket_and_one_function_per_route(stack: dict[str, Any],
                                                                          moto_endpoint: str) -> None:
    table = _client("dynamodb", moto_endpoint).describe_table(TableName=stack["outputs"]["TableName"])["Table"]
    assert sorted(i["IndexName"] for i in table["GlobalSecondaryIndexes"]) == ["gsi1", "gsi2", "gsi3", "gsi4", "gsi5"]
    s3 = _client("s3", moto_endpoint)
    bucket = stack["outputs"]["BucketName"]
    s3.head_bucket(Bucket=bucket)  # moto's CloudFormation ignores its PublicAccessBlock, CORS and lifecycle
    functions = [k for k, v in stack["template"]["Resources"].items() if v["Type"] == "AWS::Lambda::Function"]
    lam = _client("lambda", moto_endpoint)
    deployed = {f["FunctionName"]: f for f in lam.list_functions()["Functions"]}
    for logical in functions:
        config = deployed[stack["physical"][logical]]
        routed = f"{logical}Invoke" in stack["template"]["Resources"]
        if routed:  # the route's blueprint only (chalicelib/lambda_entry.py), or every blueprint (app.app)
            assert config["Handler"] in ("chalicelib.lambda_entry.app", "app.app")
        else:
            assert config["Handler"].startswith("chalicelib.")
        assert config["Environment"]["Variables"]["TABLE_NAME"] == stack["outputs"]["TableName"]
        assert config["Environment"]["Variables"]["BUCKET_NAME"] == bucket


def test_every_operation_of_the_api_body_calls_a_deployed_function(stack: dict[str, Any], moto_endpoint: str) -> None:
    """moto imports only OpenAPI 3 bodies (Chalice writes swagger 2.0), so the Body is resolved against the
    functions the stack really created, as API Gateway would, and each integration must land on one of them."""
    lam = _client("lambda", moto_endpoint)
    arns = {logical: lam.get_function(FunctionName=stack["physical"][logical])["Configuration"]["FunctionArn"]
            for logical, v in stack["template"]["Resources"].items() if v["Type"] == "AWS::Lambda::Function"}
    body = json.loads(_resolve(json.dumps(stack["body"]), arns))
    called = set()
    for path, operations in body["paths"].items():
        for method, operation in operations.items():
            uri = operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            expected = "Fallback" if method in ("options", "x-amazon-apigateway-any-method") else _logical_for(stack, method, path)
            assert uri == f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arns[expected]}/invocations"
            called.add(expected)
    # Every function the gateway may invoke is called by some operation (the others are S3/schedule functions).
    assert called == {k for k in arns if f"{k}Invoke" in stack["template"]["Resources"]}


def _logical_for(stack: dict[str, Any], method: str, path: str) -> str:
    uri = stack["body"]["paths"][path][method]["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
    return re.search(r"\$\{(\w+)\.Arn\}", uri).group(1)  # type: ignore[union-attr]


def _resolve(text: str, arns: dict[str, str]) -> str:
    text = re.sub(r"\$\{(\w+)\.Arn\}", lambda m: arns[m.group(1)], text)
    return text.replace("${AWS::Partition}", "aws").replace("${AWS::Region}", REGION)


def _event(method: str, resource: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None,
           path_params: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event, as the gateway sends it to a Lambda proxy integration."""
    sent = {"Host": "api.example.com", "Accept-Language": "en", **(headers or {})}
    if body is not None:
        sent["Content-Type"] = "application/json"
    return {"resource": resource, "path": path, "httpMethod": method, "headers": sent,
            "multiValueHeaders": {k: [v] for k, v in sent.items()}, "queryStringParameters": None,
            "multiValueQueryStringParameters": None, "pathParameters": path_params, "stageVariables": None,
            "body": json.dumps(body) if body is not None else None, "isBase64Encoded": False,
            "requestContext": {"resourcePath": resource, "httpMethod": method, "path": f"/api{path}",
                               "stage": "api", "requestId": f"req-{method}-{resource}",
                               "identity": {"sourceIp": "203.0.113.9"}}}


def test_route_functions_answer_api_gateway_events_from_the_unpacked_artifact(
        stack: dict[str, Any], packaged: Packaged, moto_endpoint: str, tmp_path: Path) -> None:
    code = tmp_path / "task"
    zipfile.ZipFile(packaged.zip).extractall(code)
    lam = _client("lambda", moto_endpoint)

    def run(calls: list[tuple[str, dict[str, Any]]], seed: bool = False,
            entry_module: str | None = None) -> list[dict[str, Any]]:
        """One Lambda sandbox per function: a fresh process with that function's environment."""
        results = []
        for method_path, event in calls:
            method, path = method_path.split(" ", 1)
            logical = "Fallback" if method in ("OPTIONS", "ANY") else _logical_for(stack, method.lower(), path)
            config = lam.get_function_configuration(FunctionName=stack["physical"][logical])
            env = clean_env(**config["Environment"]["Variables"], PYTHONPATH=str(code),
                            AWS_ENDPOINT_URL=moto_endpoint, AWS_ACCESS_KEY_ID="testing",
                            AWS_SECRET_ACCESS_KEY="testing", AWS_LAMBDA_FUNCTION_NAME=config["FunctionName"])
            handler = config["Handler"]
            if entry_module:  # what "entry": "module" in infra/functions.json deploys
                env["CATALOG_ROUTE_MODULE"], handler = entry_module, "chalicelib.lambda_entry.app"
            args = [sys.executable, str(Path(__file__).parent / "invoke_artifact.py")]
            if seed:
                args += ["admin@example.com", "ChangeMe123!"]
            done = subprocess.run(args, input=json.dumps([{"handler": handler, "event": event,
                                                           "function": config["FunctionName"]}]),
                                  cwd=code, env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            results.extend(json.loads(done.stdout))
        return results

    calls = [("GET /health", _event("GET", "/health", "/health")),
             ("GET /openapi.json", _event("GET", "/openapi.json", "/openapi.json")),
             ("OPTIONS /health", _event("OPTIONS", "/health", "/health",
                                        headers={"Origin": "https://shop.example.com"})),
             ("ANY /health", _event("DELETE", "/health", "/health"))]
    health, openapi, preflight, wrong_method = run(calls)
    assert wrong_method["statusCode"] == 405 and json.loads(wrong_method["body"])["success"] is False
    assert wrong_method["headers"]["Allow"].startswith("GET")
    assert health["statusCode"] == 200 and json.loads(health["body"])["data"]["status"] == "ok"
    assert json.loads(openapi["body"])["openapi"].startswith("3.1")
    assert preflight["statusCode"] == 204
    assert preflight["headers"]["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "X-DynamoDB-Calls" not in health["headers"]  # prod does not expose the meter
    [light] = run([("GET /health", _event("GET", "/health", "/health"))], entry_module="chalicelib.health.routes")
    assert light["statusCode"] == 200 and json.loads(light["body"]) == json.loads(health["body"])
    docs, bundle = run([("GET /docs", _event("GET", "/docs", "/docs")),
                        ("GET /docs/{asset}", _event("GET", "/docs/{asset}", "/docs/swagger-ui-bundle.js",
                                                     path_params={"asset": "swagger-ui-bundle.js"}))])
    assert docs["statusCode"] == 200 and docs["headers"]["Content-Type"].startswith("text/html")
    assert 'src="docs/swagger-ui-bundle.js"' in docs["body"]
    assert bundle["statusCode"] == 200 and "SwaggerUIBundle" in bundle["body"] and not bundle.get("isBase64Encoded")

    ulid = "01J0000000000000000000000A"
    [missing] = run([("GET /products/{product_id}", _event("GET", "/products/{product_id}", f"/products/{ulid}",
                                                           path_params={"product_id": ulid}))])
    assert missing["statusCode"] == 401 and json.loads(missing["body"])["success"] is False  # no token
    [login] = run([("POST /auth/login", _event("POST", "/auth/login", "/auth/login", body={
        "email": "admin@example.com", "password": "ChangeMe123!"}))], seed=True)
    assert login["statusCode"] == 200, login["body"]
    token = json.loads(login["body"])["data"]["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    me, product, products = run([
        ("GET /auth/me", _event("GET", "/auth/me", "/auth/me", headers=auth)),
        ("GET /products/{product_id}", _event("GET", "/products/{product_id}", f"/products/{ulid}", headers=auth,
                                              path_params={"product_id": ulid})),
        ("GET /products", _event("GET", "/products", "/products", headers=auth))])
    assert me["statusCode"] == 200 and json.loads(me["body"])["data"]["email"] == "admin@example.com"
    assert product["statusCode"] == 404 and json.loads(product["body"])["success"] is False
    assert products["statusCode"] == 200 and json.loads(products["body"])["data"] == []
    # Each function is a fresh process that only ever served its own route: the product read must still
    # know the category's item type (written by another function).
    [category] = run([("POST /product-categories", _event("POST", "/product-categories", "/product-categories",
                                                          headers=auth, body={"name": "Shoes"}))])
    assert category["statusCode"] == 201, category["body"]
    category_id = json.loads(category["body"])["data"]["id"]
    [created] = run([("POST /products", _event("POST", "/products", "/products", headers=auth,
                                               body={"name": "Trail shoe", "product_category_id": category_id}))])
    assert created["statusCode"] == 201, created["body"]
    product_id = json.loads(created["body"])["data"]["id"]
    [read] = run([("GET /products/{product_id}", _event("GET", "/products/{product_id}", f"/products/{product_id}",
                                                        headers=auth, path_params={"product_id": product_id}))])
    assert read["statusCode"] == 200, read["body"]
    assert json.loads(read["body"])["data"]["category"]["id"] == category_id
