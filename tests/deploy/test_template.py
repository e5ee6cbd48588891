"""The packaged template: one function per route, least privilege, cfn-lint clean, SAM-expandable, < 500."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from infra.gateway import GATEWAY_RESPONSES
from infra.template import MAX_RESOURCES, count_resources, deep_merge, expand, logical_id
from tests.deploy.conftest import ROOT, Packaged, clean_env

ANY = "X-AMAZON-APIGATEWAY-ANY-METHOD"
METHODS = ("get", "post", "put", "patch", "delete")


def _operations(template: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(METHOD, path) → the function its integration calls."""
    found = {}
    for path, operations in template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"].items():
        for method, operation in operations.items():
            uri = operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            found[(method.upper(), path)] = re.search(r"\$\{(\w+)\.Arn\}", uri).group(1)  # type: ignore[union-attr]
    return found


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}


def test_every_route_of_the_app_is_its_own_function(packaged: Packaged) -> None:
    from app import app

    operations = _operations(packaged.template)
    declared = {(m, p) for p, methods in app.routes.items() for m in methods}
    fallback = {op: fn for op, fn in operations.items() if op[0] in ("OPTIONS", ANY)}
    assert set(operations) - {op for op in fallback if op[0] == ANY} == declared
    assert {path for method, path in fallback if method == ANY} == set(app.routes)  # 405 on every path
    api_routes = {op: fn for op, fn in operations.items() if op not in fallback}
    assert len(set(api_routes.values())) == len(api_routes)  # no two routes share a function
    assert set(fallback.values()) == {"Fallback"}
    functions = _functions(packaged.template)
    assert "APIHandler" not in functions
    for method, path in api_routes:
        assert api_routes[(method, path)] == logical_id(method, path)
    for name, function in functions.items():
        props = function["Properties"]
        assert props["CodeUri"] == "./deployment.zip"  # one artifact for all
        if f"{name}Invoke" in packaged.template["Resources"]:  # a route function (others: their own handler)
            # Chalice dispatches on resourcePath + method: the whole app, or only the route's blueprint.
            assert props["Handler"] in ("app.app", "chalicelib.lambda_entry.app")
            if props["Handler"] != "app.app":
                assert props["Environment"]["Variables"]["CATALOG_ROUTE_MODULE"].startswith("chalicelib.")
        assert props["LoggingConfig"]["LogGroup"] == {"Ref": f"{name}Logs"}
        assert packaged.template["Resources"][f"{name}Logs"]["Type"] == "AWS::Logs::LogGroup"
        env = props["Environment"]["Variables"]
        assert env["TABLE_NAME"] == {"Ref": "Table"} and "JWT_KEYS" not in env
        assert env["JWT_KEYS_PARAMETER"] == {"Ref": "JwtKeysParameterName"}
    for op, name in api_routes.items():
        permission = packaged.template["Resources"][f"{name}Invoke"]["Properties"]
        assert permission["FunctionName"] == {"Ref": name}
        assert permission["SourceArn"]["Fn::Sub"].endswith("${RestAPI}/*/" + op[0] + re.sub(r"\{[^}]+\}", "*", op[1]))


def test_memory_and_timeout_come_from_the_config_with_per_route_overrides(packaged: Packaged) -> None:
    config = json.loads((ROOT / "infra" / "functions.json").read_text())
    functions = _functions(packaged.template)
    assert functions["GetHealth"]["Properties"]["MemorySize"] == config["modules"]["chalicelib.health"]["memory"]
    assert functions["Fallback"]["Properties"]["MemorySize"] == config["fallback"]["memory"]
    for key, override in config["routes"].items():
        name = logical_id(*key.split(" ", 1))
        if name in functions and "memory" in override:
            assert functions[name]["Properties"]["MemorySize"] == override["memory"]


def test_the_package_leaves_out_what_the_lambda_runtime_provides(packaged: Packaged) -> None:
    names = zipfile.ZipFile(packaged.zip).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert not tops & {"botocore", "boto3", "s3transfer", "jmespath", "urllib3", "dateutil"}
    assert {"app.py", "chalicelib", "pynamodb", "pydantic", "jwt", "argon2"} <= tops
    # GET /docs serves Swagger UI from the package itself (scripts/swagger_ui.sh), no outside network.
    assert {"chalicelib/health/static/swagger-ui/swagger-ui-bundle.js", "chalicelib/health/static/swagger-ui/swagger-ui.css",
            "chalicelib/health/static/docs.html", "chalicelib/health/static/init.js"} <= set(names)
    assert packaged.zip.stat().st_size < 10 * 1024 * 1024


def test_the_docs_page_functions_load_only_the_health_blueprint_and_touch_no_data(packaged: Packaged) -> None:
    resources = packaged.template["Resources"]
    functions = _functions(packaged.template)
    for name in ("GetDocs", "GetDocsByAsset"):
        props = functions[name]["Properties"]
        assert props["Handler"] == "chalicelib.lambda_entry.app"
        assert props["Environment"]["Variables"]["CATALOG_ROUTE_MODULE"] == "chalicelib.health.routes"
        statements = resources[props["Role"]["Fn::GetAtt"][0]]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        assert {a for s in statements for a in s["Action"]} == {"logs:CreateLogStream", "logs:PutLogEvents"}


def test_roles_grant_only_what_functions_use(packaged: Packaged) -> None:
    resources = packaged.template["Resources"]
    roles = {k: v for k, v in resources.items() if v["Type"] == "AWS::IAM::Role"}
    assert roles
    for role in roles.values():
        for statement in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            assert all("*" not in action for action in actions), actions
            text = json.dumps(statement["Resource"])
            assert '"*"' not in text
            if any(a.startswith("dynamodb:") for a in actions):
                assert set(actions) == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                        "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem",
                                        "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"}
                assert "Scan" not in text and "${TableArn}/index/*" in text
            if actions == ["ssm:GetParameter"]:
                assert "parameter${JwtKeysParameterName}" in text
    # Only media's functions may write to the bucket.
    for name, function in _functions(packaged.template).items():
        role = roles[function["Properties"]["Role"]["Fn::GetAtt"][0]]
        writes = [s for s in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
                  if "s3:PutObject" in s["Action"]]
        route = next((op for op, fn in _operations(packaged.template).items() if fn == name), None)
        if writes and route is not None:
            from app import app

            assert app.routes[route[1]][route[0]].view_function.__module__.startswith("chalicelib.media")


def test_table_bucket_throttling_and_gateway_responses(packaged: Packaged) -> None:
    resources = packaged.template["Resources"]
    table = resources["Table"]["Properties"]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["gsi1", "gsi2", "gsi3", "gsi4", "gsi5"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    bucket = resources["Bucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"] == ["https://shop.example.com"]
    assert {r["Id"] for r in bucket["LifecycleConfiguration"]["Rules"]} == {"expire-pending-uploads", "abort-multipart"}
    api = resources["RestAPI"]["Properties"]
    assert api["MethodSettings"][0]["ResourcePath"] == "/*" and api["MethodSettings"][0]["ThrottlingRateLimit"] > 0
    assert api["MinimumCompressionSize"] == 1024  # gzip above 1 KiB is API Gateway's job (.chalice/config.json)
    responses = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    missing = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["statusCode"] == "404"
    assert json.loads(missing["responseTemplates"]["application/json"]) == {"success": False, "error": "Route introuvable"}
    assert set(responses) == set(GATEWAY_RESPONSES)
    assert "JwtKeysParameterName" in packaged.template["Parameters"]
    assert "insecure" not in json.dumps(packaged.template) and "JWT_KEYS\"" not in json.dumps(packaged.template)


def test_cfn_lint_finds_nothing_in_the_template_and_its_expansion(packaged: Packaged, tmp_path: Path) -> None:
    expanded = tmp_path / "expanded.json"
    expanded.write_text(json.dumps(expand(packaged.template)))
    lint = Path(sys.executable).parent / "cfn-lint"
    for path in (packaged.path, expanded):
        done = subprocess.run([str(lint), "--format", "parseable", str(path)], capture_output=True, text=True,
                              env=clean_env(), timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr  # 0: no errors and no warnings


def test_the_sam_transform_expands_it_under_the_resource_limit(packaged: Packaged) -> None:
    expanded = expand(packaged.template)
    counts = count_resources(expanded)
    assert not any(kind.startswith("AWS::Serverless") for kind in counts)
    assert counts["AWS::Lambda::Function"] == len(_functions(packaged.template))
    assert sum(counts.values()) <= MAX_RESOURCES
    assert f"{sum(counts.values())} after the SAM transform" in packaged.report


def test_merge_template_overrides_and_deletes() -> None:
    base = {"Resources": {"A": {"Properties": {"X": 1, "Y": {"Z": 2}}}, "B": {}}}
    merged = deep_merge(base, {"Resources": {"A": {"Properties": {"Y": {"W": 3}}}, "B": None}})
    assert merged == {"Resources": {"A": {"Properties": {"X": 1, "Y": {"Z": 2, "W": 3}}}}}


def test_logical_ids_are_stable_and_distinct() -> None:
    assert logical_id("GET", "/products/{id}") == "GetProductsById"
    assert logical_id("POST", "/stores/{id}/products/{product_id}/stock") == "PostStoresByIdProductsByProductIdStock"
    assert logical_id("GET", "/openapi.json") == "GetOpenapiJson"
    assert logical_id("GET", "/") == "GetRoot"


def test_upload_functions_are_subscribed_to_the_bucket_pending_prefix(packaged: Packaged) -> None:
    from chalice.utils import to_cfn_resource_name

    from app import app

    config = json.loads((ROOT / "infra" / "functions.json").read_text())
    resources = packaged.template["Resources"]
    notifications = resources["Bucket"]["Properties"].get("NotificationConfiguration", {}).get("LambdaConfigurations", [])
    for function in app.pure_lambda_functions:
        trigger = config["lambda_functions"].get(function.name, {}).get("s3_trigger")
        name = to_cfn_resource_name(function.name)
        assert resources[name]["Properties"]["Handler"] == function.handler_string
        if not trigger:
            continue
        subscribed = [n for n in notifications if n["Function"] == {"Fn::GetAtt": [name, "Arn"]}]
        assert [n["Event"] for n in subscribed] == trigger["events"]
        assert all(n["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "pending/"}] for n in subscribed)
        permission = resources[f"{name}S3Invoke"]["Properties"]
        assert permission["Principal"] == "s3.amazonaws.com" and permission["SourceAccount"] == {"Ref": "AWS::AccountId"}
        assert f"{name}S3Invoke" in resources["Bucket"]["DependsOn"]
        role = resources[resources[name]["Properties"]["Role"]["Fn::GetAtt"][0]]
        actions = {a for s in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"] for a in s["Action"]}
        assert "s3:PutObject" in actions and not any(a.startswith("s3:List") for a in actions)
