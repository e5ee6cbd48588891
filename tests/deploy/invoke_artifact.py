"""Run inside an unpacked deployment.zip, with one function's environment: read [{handler, event}] as JSON on
stdin, call each handler as the Lambda runtime would, print the responses as JSON. Optionally seed an admin
first (argv[1] = email, argv[2] = password) so authenticated routes can be reached through POST /auth/login."""
from __future__ import annotations

import importlib
import json
import sys
import time
import types


def main() -> None:
    out, sys.stdout = sys.stdout, sys.stderr  # the app's log lines go to stdout, like Lambda's: keep them apart
    if len(sys.argv) == 3:
        from chalicelib.identity.seed import seed

        seed(sys.argv[1], sys.argv[2])
    results = []
    for call in json.load(sys.stdin):
        module_name, _, attribute = call["handler"].rpartition(".")
        handler = getattr(importlib.import_module(module_name.replace("/", ".")), attribute)
        context = types.SimpleNamespace(aws_request_id="req-1", function_name=call["function"], memory_limit_in_mb=512,
                                        get_remaining_time_in_millis=lambda: 10_000, log_group_name="-",
                                        log_stream_name="-", invoked_function_arn="arn:aws:lambda:::function:x")
        started = time.perf_counter()
        results.append({**handler(call["event"], context), "ms": (time.perf_counter() - started) * 1000})
    json.dump(results, out)


if __name__ == "__main__":
    main()
