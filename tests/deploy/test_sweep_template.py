"""The reservation sweep in the template: one function of its own, run by a schedule every minute, no route,
and no access beyond the table."""
from __future__ import annotations

from tests.deploy.conftest import Packaged


def test_the_sweep_is_a_scheduled_function_with_table_access_only(packaged: Packaged) -> None:
    resources = packaged.template["Resources"]
    props = resources["SweepReservations"]["Properties"]
    assert props["Handler"] == "chalicelib.catalog.reservations.sweep_function.sweep_reservations"
    assert props["Timeout"] == 60 and props["MemorySize"] == 512
    events = list(props["Events"].values())
    assert len(events) == 1 and events[0]["Type"] == "Schedule"
    assert events[0]["Properties"]["Schedule"] == "rate(1 minute)"
    assert props["Environment"]["Variables"]["TABLE_NAME"] == {"Ref": "Table"}
    uris = [op["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            for ops in resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"].values() for op in ops.values()]
    assert not any("${SweepReservations.Arn}" in uri for uri in uris)
    role = resources[props["Role"]["Fn::GetAtt"][0]]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    actions = {a for statement in role for a in statement["Action"]}
    assert actions <= {"logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:GetItem", "dynamodb:PutItem",
                       "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem",
                       "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"}
    assert "SweepReservationsLogs" in resources
