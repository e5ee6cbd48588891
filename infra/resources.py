"""The table and the bucket, defined once: the CloudFormation template and the local stack both read these."""
from __future__ import annotations

from typing import Any

INDEXES = ("gsi1", "gsi2", "gsi3", "gsi4", "gsi5")
TTL_ATTRIBUTE = "expires_at"
PENDING_PREFIX = "pending/"
FILES_PREFIX = "files/"


def table_properties(table_name: str) -> dict[str, Any]:
    """AWS::DynamoDB::Table properties (also the arguments of CreateTable, minus TTL)."""
    attributes = ["pk", "sk"] + [f"{index}{part}" for index in INDEXES for part in ("pk", "sk")]
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": "S"} for name in attributes],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index,
                "KeySchema": [{"AttributeName": f"{index}pk", "KeyType": "HASH"},
                              {"AttributeName": f"{index}sk", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in INDEXES
        ],
        "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
    }


def bucket_cors(origins: list[str]) -> list[dict[str, Any]]:
    """Browsers POST uploads straight to the bucket and GET downloads from it."""
    return [{
        "AllowedOrigins": origins,
        "AllowedMethods": ["POST", "GET", "HEAD"],
        "AllowedHeaders": ["*"],
        "ExposedHeaders": ["ETag"],
        "MaxAge": 3000,
    }]


def bucket_lifecycle() -> list[dict[str, Any]]:
    """Uploads that never completed are deleted after a day."""
    return [{"ID": "expire-pending-uploads", "Status": "Enabled", "Prefix": PENDING_PREFIX, "ExpirationInDays": 1},
            {"ID": "abort-multipart", "Status": "Enabled", "Prefix": "",
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}]


def create_local_resources(dynamodb: Any, s3: Any, table_name: str, bucket_name: str, origins: list[str]) -> None:
    """Create the table and the bucket on a stand-in endpoint, from the same definitions (idempotent)."""
    props = table_properties(table_name)
    ttl = props.pop("TimeToLiveSpecification")
    props.pop("PointInTimeRecoverySpecification")
    existing = dynamodb.list_tables()["TableNames"]
    if table_name not in existing:
        dynamodb.create_table(**props)
        dynamodb.get_waiter("table_exists").wait(TableName=table_name)
        dynamodb.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)
    buckets = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
    if bucket_name not in buckets:
        s3.create_bucket(Bucket=bucket_name, CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name})
    s3.put_public_access_block(Bucket=bucket_name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    # The S3 API spells two CloudFormation CORS fields differently.
    cors = [{("ExposeHeaders" if k == "ExposedHeaders" else "MaxAgeSeconds" if k == "MaxAge" else k): v
             for k, v in rule.items()} for rule in bucket_cors(origins)]
    s3.put_bucket_cors(Bucket=bucket_name, CORSConfiguration={"CORSRules": cors})
    rules = [{"ID": r["ID"], "Status": r["Status"], "Filter": {"Prefix": r["Prefix"]},
              **({"Expiration": {"Days": r["ExpirationInDays"]}} if "ExpirationInDays" in r else {}),
              **({"AbortIncompleteMultipartUpload": r["AbortIncompleteMultipartUpload"]}
                 if "AbortIncompleteMultipartUpload" in r else {})} for r in bucket_lifecycle()]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket_name, LifecycleConfiguration={"Rules": rules})
