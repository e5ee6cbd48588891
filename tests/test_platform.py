"""The shared machinery seen from a client: envelope, status codes, health, OpenAPI, languages."""
from __future__ import annotations

# The interactive reference renders the OpenAPI document; it is HTML and static assets, not an operation.
DOCS_PAGE = {"/docs", "/docs/{asset}"}


def test_health_answers_ok(api):
    reply = api.get("/health")
    assert reply.status == 200
    assert reply.json == {"success": True, "data": {"status": "ok", "table": "reachable"}}


def test_unknown_route_is_404_in_the_envelope(api):
    reply = api.get("/nope/nothing")
    assert reply.status == 404
    assert reply.json["success"] is False
    assert reply.json["error"]


def test_wrong_method_is_405_in_the_envelope(api):
    reply = api.request("DELETE", "/health")
    assert reply.status == 405
    assert reply.json["success"] is False
    assert "GET" in reply.headers.get("allow", "")


def test_openapi_document_is_valid_and_covers_every_route(api):
    from openapi_spec_validator import validate

    from app import app

    reply = api.get("/openapi.json")
    assert reply.status == 200
    document = reply.json
    assert document["openapi"].startswith("3.1")
    validate(document)
    for path, methods in app.routes.items():
        for method in methods:
            if method == "OPTIONS" or path in DOCS_PAGE:
                continue
            assert method.lower() in document["paths"].get(path, {}), f"{method} {path} missing from OpenAPI"


def test_request_log_line_is_json_with_the_operator_fields(api, capsys):
    import json

    api.get("/health", headers={"Authorization": "Bearer secret-token-value"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    request_lines = [line for line in lines if line.get("msg") == "request"]
    assert request_lines, "no request log line"
    line = request_lines[-1]
    for field in ("request_id", "method", "route", "status", "duration_ms", "user_id", "ddb_calls"):
        assert field in line
    assert line["status"] == 200 and line["route"] == "/health"
    assert "secret-token-value" not in json.dumps(lines)


def test_cors_headers_for_configured_origins_only(api):
    allowed = api.request("OPTIONS", "/health", headers={"Origin": "http://127.0.0.1:3000"})
    assert allowed.status == 204
    assert allowed.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"
    assert "Authorization" in allowed.headers["access-control-allow-headers"]
    other = api.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_the_docs_page_renders_the_openapi_document_from_the_api_itself(api):
    page = api.get("/docs")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    html = page.body.decode()
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy
    # Every script and style sheet is a relative URL the API serves, and the initializer reads /openapi.json.
    assert "http" not in html.split("<body>")[1] and 'src="docs/swagger-ui-bundle.js"' in html
    for asset, kind in (("swagger-ui-bundle.js", "application/javascript"), ("swagger-ui.css", "text/css"),
                        ("init.js", "application/javascript")):
        reply = api.get(f"/docs/{asset}")
        assert reply.status == 200 and reply.headers["content-type"].startswith(kind), asset
        assert len(reply.body) > 100
    assert b"openapi.json" in api.get("/docs/init.js").body
    assert b"validatorUrl: null" in api.get("/docs/init.js").body  # no badge from an outside validator


def test_the_docs_assets_are_a_fixed_list(api):
    for name in ("nope.js", "docs.html", "..%2Fdocs.py", "LICENSE"):
        reply = api.get(f"/docs/{name}")
        assert reply.status == 404 and reply.json["success"] is False, name


def test_the_docs_page_stays_out_of_the_document_it_renders(api):
    assert not DOCS_PAGE & set(api.get("/openapi.json").json["paths"])
