"""Chalice's one-function template → one Lambda function per API route, plus the table, the bucket, least
privilege roles, throttling and the gateway's own answers in the API's envelope.

Chalice (`chalice package --pkg-format cloudformation`) emits a SAM template where every operation of the
swagger body calls `${APIHandler.Arn}`. Chalice dispatches on requestContext.resourcePath + httpMethod, so
the same code and handler serve any subset of routes: we clone APIHandler once per operation, re-point each
operation's integration at its clone, and give each clone its own log group, memory, timeout and role.
"""
from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from infra.gateway import GATEWAY_HEADERS, GATEWAY_RESPONSES
from infra.resources import PENDING_PREFIX, bucket_cors, bucket_lifecycle, table_properties

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
MAX_RESOURCES = 500  # CloudFormation's per-stack limit, counted after the SAM transform
# OPTIONS on every path (the computed CORS preflight) and any method a path does not declare (Chalice answers
# 405 with Allow, which the middleware puts in the envelope; without this API Gateway would say 403/404).
FALLBACK = "Fallback"
ANY_METHOD = "x-amazon-apigateway-any-method"


@dataclass
class AppShape:
    """What the template needs to know about the Chalice app beyond Chalice's own output."""

    route_modules: dict[tuple[str, str], str]  # (METHOD, path) → module of the view
    lambda_functions: list[str] = field(default_factory=list)  # names of @app.lambda_function handlers


@dataclass
class StageSettings:
    app_name: str
    stage: str
    table_name: str
    bucket_prefix: str
    jwt_keys_parameter: str
    cors_origins: list[str]


def logical_id(method: str, path: str) -> str:
    """GET /products/{id}/stores → GetProductsByIdStores (letters and digits only, unique per operation)."""
    parts = [method.capitalize()]
    for segment in path.strip("/").split("/"):
        if not segment:
            continue
        is_param = segment.startswith("{")
        words = re.split(r"[^A-Za-z0-9]+", segment.strip("{}+"))
        name = "".join(w[:1].upper() + w[1:] for w in words if w)
        parts.append(("By" + name) if is_param else name)
    return "".join(parts) if len(parts) > 1 else parts[0] + "Root"


def _settings_for(config: dict[str, Any], method: str, path: str, module: str) -> dict[str, Any]:
    merged = dict(config["defaults"])
    for prefix in sorted(config.get("modules", {}), key=len):  # longer (more specific) prefixes win
        if module == prefix or module.startswith(prefix + "."):
            merged.update(config["modules"][prefix])
    merged.update(config.get("routes", {}).get(f"{method} {path}", {}))
    return merged


def _sub(text: str) -> dict[str, Any]:
    return {"Fn::Sub": text}


def build(sam: dict[str, Any], shape: AppShape, config: dict[str, Any], stage: StageSettings) -> dict[str, Any]:
    """Return the per-route template (still SAM: the API and functions are AWS::Serverless resources)."""
    template = copy.deepcopy(sam)
    resources: dict[str, Any] = template["Resources"]
    handler = resources.pop("APIHandler")
    resources.pop("APIHandlerInvokePermission", None)
    resources.pop("DefaultRole", None)
    outputs = template.setdefault("Outputs", {})
    for name in ("APIHandlerName", "APIHandlerArn"):
        outputs.pop(name, None)

    template.setdefault("Parameters", {})["JwtKeysParameterName"] = {
        "Type": "String", "Default": stage.jwt_keys_parameter,
        "Description": "SSM parameter (SecureString) holding 'kid:secret,...'; the key never enters the template",
        "AllowedPattern": "^/[A-Za-z0-9/_.-]+$"}

    bucket_name = f"{stage.bucket_prefix}-${{AWS::AccountId}}-${{AWS::Region}}"
    variables = {"TableArn": {"Fn::GetAtt": ["Table", "Arn"]},
                 "BucketArn": _sub(f"arn:${{AWS::Partition}}:s3:::{bucket_name}"),
                 "JwtKeysParameterName": {"Ref": "JwtKeysParameterName"}}
    log_prefix = f"/aws/lambda/{stage.app_name}-{stage.stage}"
    roles: dict[tuple[str, ...], str] = {}

    def role_for(access: list[str]) -> dict[str, Any]:
        key = tuple(sorted(set(access)))
        if key not in roles:
            role_id = "Role" + ("".join(a.title().replace("_", "") for a in key) or "LogsOnly")
            roles[key] = role_id
            resources[role_id] = _role(key, config["access_policies"], variables, log_prefix)
        return {"Fn::GetAtt": [roles[key], "Arn"]}

    def function(function_id: str, settings: dict[str, Any], base: dict[str, Any]) -> None:
        props = copy.deepcopy(base["Properties"])
        props["MemorySize"] = settings["memory"]
        props["Timeout"] = settings["timeout"]
        props["Role"] = role_for(settings["access"])
        env = props.setdefault("Environment", {}).setdefault("Variables", {})
        env["TABLE_NAME"] = {"Ref": "Table"}
        env["BUCKET_NAME"] = _sub(bucket_name)
        env["JWT_KEYS_PARAMETER"] = {"Ref": "JwtKeysParameterName"}
        log_id = f"{function_id}Logs"
        resources[log_id] = {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Delete",
                             "UpdateReplacePolicy": "Delete",
                             "Properties": {"LogGroupName": f"{log_prefix}/{function_id}",
                                            "RetentionInDays": settings["log_retention_days"]}}
        props["LoggingConfig"] = {"LogGroup": {"Ref": log_id}, "LogFormat": "Text"}
        resources[function_id] = {**{k: v for k, v in base.items() if k != "Properties"}, "Properties": props}

    _pure_functions(resources, shape, config, function, bucket_name)  # before the route clones exist
    api = resources["RestAPI"]["Properties"]
    paths: dict[str, Any] = api["DefinitionBody"]["paths"]
    defaults = config["defaults"]
    for path, operations in paths.items():
        any_method = copy.deepcopy(next(iter(operations.values())))
        any_method.pop("summary", None)
        operations[ANY_METHOD] = any_method
        for method, operation in operations.items():
            if method not in HTTP_METHODS and method != ANY_METHOD:
                continue
            upper = method.upper()
            if upper == "OPTIONS" or method == ANY_METHOD:
                function_id = FALLBACK
            else:
                function_id = logical_id(upper, path)
                if function_id in resources:
                    raise ValueError(f"two operations map to the logical id {function_id}")
                module = shape.route_modules.get((upper, path), "")
                settings = _settings_for(config, upper, path, module)
                function(function_id, settings, handler)
                if settings.get("entry") == "module" and module:
                    # Load only this route's blueprint (chalicelib/lambda_entry.py) instead of app.py's all.
                    props = resources[function_id]["Properties"]
                    props["Handler"] = "chalicelib.lambda_entry.app"
                    props["Environment"]["Variables"]["CATALOG_ROUTE_MODULE"] = module
                source = f"*/{upper}" + re.sub(r"\{[^}]+\}", "*", path)
                resources[f"{function_id}Invoke"] = _api_permission(function_id, source)
            operation["x-amazon-apigateway-integration"]["uri"] = _sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                f"${{{function_id}.Arn}}/invocations")
    if paths:
        function(FALLBACK, {**defaults, **config.get("fallback", {})}, handler)
        resources[f"{FALLBACK}Invoke"] = _api_permission(FALLBACK, "*/*/*")

    _gateway(api, config, stage)
    _storage(resources, shape, config, stage, bucket_name)
    outputs["TableName"] = {"Value": {"Ref": "Table"}}
    outputs["BucketName"] = {"Value": _sub(bucket_name)}
    return template


def _api_permission(function_id: str, source: str) -> dict[str, Any]:
    """One permission per function, scoped to its own method and path on this API (any stage)."""
    return {"Type": "AWS::Lambda::Permission", "Properties": {
        "FunctionName": {"Ref": function_id}, "Action": "lambda:InvokeFunction",
        "Principal": "apigateway.amazonaws.com",
        "SourceArn": _sub(f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{RestAPI}}/{source}")}}


def _role(access: tuple[str, ...], policies: dict[str, list[dict[str, Any]]], variables: dict[str, Any],
          log_prefix: str) -> dict[str, Any]:
    statements: list[dict[str, Any]] = [{
        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": _sub(f"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{log_prefix}/*:*")}]
    for name in access:
        for statement in policies[name]:
            statements.append({"Effect": "Allow", "Action": statement["Action"],
                               "Resource": [{"Fn::Sub": [r, variables]} for r in statement["Resource"]]})
    return {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "least-privilege",
                      "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]}}


def _gateway(api: dict[str, Any], config: dict[str, Any], stage: StageSettings) -> None:
    """Stage throttling (default + per route) and the gateway's own errors in the API's envelope."""
    throttling = config.get("throttling", {})
    default = throttling.get("default", {"rate": 100, "burst": 200})
    settings = [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": default["rate"],
                 "ThrottlingBurstLimit": default["burst"], "MetricsEnabled": True}]
    paths = api["DefinitionBody"]["paths"]
    for key, limits in throttling.get("routes", {}).items():
        method, path = key.split(" ", 1)
        if method.lower() not in paths.get(path, {}):
            continue  # a route not (yet) in the app: nothing to throttle
        settings.append({"ResourcePath": "/" + path.replace("/", "~1"),  # "/~1auth~1login" "HttpMethod": method,
                         "ThrottlingRateLimit": limits["rate"], "ThrottlingBurstLimit": limits["burst"]})
    api["MethodSettings"] = settings
    responses = {}
    for response_type, (status, body) in GATEWAY_RESPONSES.items():
        responses[response_type] = {
            "statusCode": str(status),
            "responseTemplates": {"application/json": json.dumps(body, ensure_ascii=False)},
            "responseParameters": {f"gatewayresponse.header.{name}": f"'{value}'"
                                   for name, value in GATEWAY_HEADERS.items()},
        }
    api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"] = responses


def _pure_functions(resources: dict[str, Any], shape: AppShape, config: dict[str, Any], function: Any,
                    bucket_name: str) -> None:
    """Chalice's @lambda_function / @schedule functions get the same treatment as route functions."""
    from chalice.utils import to_cfn_resource_name

    options = config.get("lambda_functions", {})
    for resource_id, resource in list(resources.items()):
        if resource.get("Type") != "AWS::Serverless::Function" or "Logs" in resource_id:
            continue
        if resource_id in [to_cfn_resource_name(n) for n in shape.lambda_functions] or "Events" in resource["Properties"]:
            name = next((n for n in shape.lambda_functions if to_cfn_resource_name(n) == resource_id), resource_id)
            settings = {**config["defaults"], **options.get(name, {})}
            function(resource_id, settings, resource)
            trigger = settings.get("s3_trigger")
            if trigger:
                resources[f"{resource_id}S3Invoke"] = {"Type": "AWS::Lambda::Permission", "Properties": {
                    "FunctionName": {"Fn::GetAtt": [resource_id, "Arn"]}, "Action": "lambda:InvokeFunction",
                    "Principal": "s3.amazonaws.com", "SourceAccount": {"Ref": "AWS::AccountId"},
                    "SourceArn": _sub(f"arn:${{AWS::Partition}}:s3:::{bucket_name}")}}
                resources[resource_id]["_s3_trigger"] = trigger  # read (and removed) by _storage


def _storage(resources: dict[str, Any], shape: AppShape, config: dict[str, Any], stage: StageSettings,
             bucket_name: str) -> None:
    props = table_properties(stage.table_name)
    resources["Table"] = {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain",
                          "UpdateReplacePolicy": "Retain", "Properties": props}
    notifications = []
    depends = []
    for resource_id, resource in resources.items():
        trigger = resource.pop("_s3_trigger", None)
        if not trigger:
            continue
        depends.append(f"{resource_id}S3Invoke")
        for event in trigger["events"]:
            notifications.append({"Event": event, "Function": {"Fn::GetAtt": [resource_id, "Arn"]},
                                  "Filter": {"S3Key": {"Rules": [{"Name": "prefix",
                                                                  "Value": trigger.get("prefix", PENDING_PREFIX)}]}}})
    bucket: dict[str, Any] = {
        "BucketName": _sub(bucket_name),
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                           "BlockPublicPolicy": True, "RestrictPublicBuckets": True},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        "CorsConfiguration": {"CorsRules": bucket_cors(stage.cors_origins)},
        # CloudFormation spells the rule id "Id" (the S3 API, which bucket_lifecycle() follows, says "ID").
        "LifecycleConfiguration": {"Rules": [{("Id" if k == "ID" else k): v for k, v in rule.items()}
                                             for rule in bucket_lifecycle()]},
    }
    if notifications:
        bucket["NotificationConfiguration"] = {"LambdaConfigurations": notifications}
    resources["Bucket"] = {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                           "Properties": bucket, **({"DependsOn": depends} if depends else {})}
    resources["BucketPolicy"] = {"Type": "AWS::S3::BucketPolicy", "Properties": {
        "Bucket": {"Ref": "Bucket"},
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [_sub(f"arn:${{AWS::Partition}}:s3:::{bucket_name}"),
                         _sub(f"arn:${{AWS::Partition}}:s3:::{bucket_name}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}}


def deep_merge(base: Any, overlay: Any) -> Any:
    """Dicts merge key by key (overlay wins); anything else is replaced; a null in the overlay deletes."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = deep_merge(base.get(key), value) if key in base else value
        return merged
    return overlay


def expand(template: dict[str, Any], code_uri: str = "s3://deployment-bucket/deployment.zip",
           region: str = "eu-west-1", account: str = "123456789012") -> dict[str, Any]:
    """The SAM transform, offline (aws-sam-translator): the plain CloudFormation AWS would deploy."""
    from samtranslator.translator.transform import transform

    class _NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    sam = copy.deepcopy(template)
    for resource in sam["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = code_uri
    params = {"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws",
              "AWS::StackName": "catalog", "AWS::StackId": "stack", "AWS::URLSuffix": "amazonaws.com",
              "AWS::NotificationARNs": []}
    # The translator asks a boto3 session for the region even when it is given: lend it one.
    saved = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = region
    try:
        return transform(sam, params, _NoManagedPolicies())  # type: ignore[arg-type]
    finally:
        if saved is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = saved


def count_resources(template: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for resource in template["Resources"].values():
        counts[resource["Type"]] = counts.get(resource["Type"], 0) + 1
    return counts
