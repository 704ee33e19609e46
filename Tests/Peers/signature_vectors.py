#!/usr/bin/env python3
"""Computes provider signatures with implementations other than Lifeline's, for its tests.

Reads a JSON list of cases on stdin and writes a JSON list of results on stdout, one per case:

    {"kind": "sigv4", "method", "url", "headers": [[name, value], ...], "body", "access_key_id",
     "secret_access_key", "session_token" (optional), "region", "service", "amz_date"}
        -> the Authorization header botocore's SigV4Auth computes for exactly those headers,
           at the fixed time amz_date (yyyymmddThhmmssZ).
    {"kind": "twilio", "url", "params": [[name, value], ...], "auth_token"}
        -> X-Twilio-Signature as Twilio documents it: base64 of HMAC-SHA1 over the URL followed
           by each parameter's name and value, sorted by name.
    {"kind": "vonage", "params": [[name, value], ...], "secret", "method"}
        -> the sig of a Vonage signed callback: every parameter but sig sorted by name, written
           "&name=value" with & and = in values replaced by _, then MD5 of that text followed by
           the secret (method md5hash) or an HMAC keyed with the secret (md5, sha1, sha256, sha512),
           in lower-case hex.
"""

import base64
import hashlib
import hmac
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sigv4(case):
    headers = {name: value for name, value in case["headers"] if name.lower() != "authorization"}
    request = AWSRequest(method=case["method"], url=case["url"], data=case["body"].encode(), headers=headers)
    request.context["timestamp"] = case["amz_date"]
    credentials = Credentials(case["access_key_id"], case["secret_access_key"], case.get("session_token"))
    auth = SigV4Auth(credentials, case["service"], case["region"])
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    scope = f"{case['amz_date'][:8]}/{case['region']}/{case['service']}/aws4_request"
    signed = auth.signed_headers(auth.headers_to_sign(request))
    return f"AWS4-HMAC-SHA256 Credential={case['access_key_id']}/{scope}, SignedHeaders={signed}, Signature={signature}"


def twilio(case):
    text = case["url"] + "".join(name + value for name, value in sorted(case["params"], key=lambda p: p[0]))
    digest = hmac.new(case["auth_token"].encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def vonage(case):
    params = sorted((p for p in case["params"] if p[0] != "sig"), key=lambda p: p[0])
    text = "".join(f"&{name}={value.replace('&', '_').replace('=', '_')}" for name, value in params)
    secret = case["secret"].encode()
    if case["method"] == "md5hash":
        return hashlib.md5(text.encode() + secret).hexdigest()
    return hmac.new(secret, text.encode(), case["method"]).hexdigest()


def main():
    cases = json.load(sys.stdin)
    kinds = {"sigv4": sigv4, "twilio": twilio, "vonage": vonage}
    json.dump([kinds[case["kind"]](case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
