"""Checks recorded HTTP exchanges against docs/openapi.yaml with openapi-core.

Usage: openapi_check.py SPEC EXCHANGES_JSON

EXCHANGES_JSON is an array of objects with method, path, query, request_headers,
request_body, status, response_headers and response_body, as the Swift HTTPAPI tests write
them. Every response is validated against its operation; requests answered 2xx are validated
too (a request the server rejected is expected not to conform). Exits 1 listing each mismatch,
2 when an exchange matches no operation at all.
"""

import json
import sys
from urllib.parse import parse_qs

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse


def main() -> int:
    spec_path, exchanges_path = sys.argv[1], sys.argv[2]
    openapi = OpenAPI.from_file_path(spec_path)
    with open(exchanges_path, encoding="utf-8") as handle:
        exchanges = json.load(handle)

    failures = []
    for number, exchange in enumerate(exchanges):
        label = f"#{number} {exchange['method']} {exchange['path']} -> {exchange['status']}"
        request_headers = exchange["request_headers"]
        request = MockRequest(
            "http://127.0.0.1:8080",
            exchange["method"].lower(),
            exchange["path"],
            args={name: values[-1] for name, values in parse_qs(exchange["query"]).items()},
            headers=request_headers,
            data=exchange["request_body"].encode("utf-8"),
            content_type=request_headers.get("content-type", "application/json"),
        )
        response_headers = exchange["response_headers"]
        content_type = response_headers.get("content-type", "")
        response = MockResponse(
            exchange["response_body"].encode("utf-8"),
            status_code=exchange["status"],
            headers={name.title(): value for name, value in response_headers.items()},
            content_type=content_type.split(";")[0] if content_type else "",
        )
        if 200 <= exchange["status"] < 300:
            for error in openapi.iter_request_errors(request):
                failures.append(f"{label}: request: {describe(error)}")
        for error in openapi.iter_response_errors(request, response):
            failures.append(f"{label}: response: {describe(error)}")

    for failure in failures:
        print(failure)
    print(f"checked {len(exchanges)} exchanges, {len(failures)} mismatches")
    return 1 if failures else 0


def describe(error: Exception) -> str:
    """The error with its schema causes, which openapi-core keeps in __cause__."""
    text = f"{type(error).__name__}: {error}"
    cause = error.__cause__
    while cause is not None:
        details = getattr(cause, "schema_errors", None)
        if details:
            text += "; " + "; ".join(str(detail.message) for detail in details)
        else:
            text += f"; {cause}"
        cause = cause.__cause__
    return text


if __name__ == "__main__":
    sys.exit(main())
