"""OpenAPI schema post-processing (drf-spectacular): document the error answers.

Every operation may answer 401/403 (authentication, permission), 404 (out of the
caller's scope, or a page past the end), 429 (throttled) and, when it takes input or
query parameters, 400 (validation). DRF writes them all as a JSON object: either
`{"detail": "..."}` or `{"field": ["message", ...]}`.
"""

from __future__ import annotations

ERROR_SCHEMA_NAME = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "{'detail': message} or {field: [messages]}",
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Dữ liệu không hợp lệ",
    "401": "Chưa đăng nhập",
    "403": "Không có quyền",
    "404": "Không tìm thấy (hoặc ngoài phạm vi)",
    "405": "Phương thức không được hỗ trợ",
    "429": "Gửi quá nhiều yêu cầu",
}


def document_errors(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["401", "403", "404", "405", "429"]
            if method in ("post", "put", "patch") or operation.get("parameters"):
                codes.append("400")
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {
                        "description": DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
