"""The Seed function in the template: invoked by hand after a deployment, so no route, no trigger, and no access
beyond the table (it needs neither the JWT keys nor the bucket)."""
from __future__ import annotations

from tests.deploy.conftest import Packaged


def test_the_seed_function_is_invoke_only_with_table_access(packaged: Packaged) -> None:
    resources = packaged.template["Resources"]
    props = resources["Seed"]["Properties"]
    assert props["Handler"] == "chalicelib.identity.seed_function.seed"
    assert "Events" not in props and "SeedInvoke" not in resources and "SeedS3Invoke" not in resources
    uris = [op["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            for ops in resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"].values() for op in ops.values()]
    assert not any("${Seed.Arn}" in uri for uri in uris)
    role = resources[props["Role"]["Fn::GetAtt"][0]]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = {a for statement in role for a in statement["Action"]}
    assert actions <= {"logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:GetItem", "dynamodb:PutItem",
                       "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem",
                       "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"}
