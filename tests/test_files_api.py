"""Files through HTTP: asking for an upload, the presigned POST, verification, reads and deletes."""
from __future__ import annotations

import base64
import json

from tests.builders_media import ask_upload, file_item, object_exists, png_bytes, put_pending, ready_file


def test_smoke(api, admin):
    reply = ask_upload(api, admin.token)
    assert reply.status == 201, reply.json
    print(reply.json)
    fid = ready_file(api, admin.token)
    got = api.get(f"/files/{fid}", token=admin.token)
    print(got.json, got.calls)
