#!/usr/bin/env python3
"""Computes provider signatures with the providers' own SDKs and botocore, for Lifeline's tests.

Reads a JSON list of cases on stdin and writes a JSON list of results on stdout, one per case,
each {"signature": the value the SDK computes, "valid": the SDK's verdict on the case's
"signature" field, or null when the case has none}:

    {"kind": "sigv4", "method", "url", "headers": [[name, value], ...], "body", "access_key_id",
     "secret_access_key", "session_token" (optional), "region", "service", "amz_date"}
        -> the Authorization header botocore's SigV4Auth computes for exactly those headers,
           at the fixed time amz_date (yyyymmddThhmmssZ); "valid" is always null.
    {"kind": "twilio", "url", "params": [[name, value], ...], "auth_token", "signature" (optional)}
        -> X-Twilio-Signature from the twilio package's RequestValidator.compute_signature;
           "valid" is RequestValidator.validate on the URL, the parameters and "signature".
    {"kind": "vonage", "params": [[name, value], ...], "secret", "method", "signature" (optional)}
        -> the sig of a Vonage signed callback from the vonage package's Client.signature, over
           every parameter but sig; "valid" is Client.check_signature on the parameters with their
           sig replaced by "signature".

The vonage 3.x Client handles every method Lifeline offers: md5hash (no signature_method: MD5
of the text followed by the secret) and the HMACs md5, sha1, sha256 and sha512. The 4.x line's
helper (Auth.sign_params in vonage-http-client 1.5.2) raises TypeError without a method, so it has
no md5hash. That is why 3.x is pinned, and no method needs a computation of this script's own.
"""

import json
import os
import sys
import warnings

# The vonage Client falls back to these when an argument is missing (md5hash passes no method).
for name in ("VONAGE_SIGNATURE_METHOD", "VONAGE_SIGNATURE_SECRET", "VONAGE_API_KEY", "VONAGE_API_SECRET"):
    os.environ.pop(name, None)
# The 3.x line warns on import that 4.x succeeds it; the warning would only clutter the test log.
warnings.filterwarnings("ignore", message="v3 of the Vonage Python SDK", category=DeprecationWarning)

import vonage
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from twilio.request_validator import RequestValidator

# Lifeline's method names and the signature_method the vonage Client takes for each.
VONAGE_METHODS = {"md5hash": None, "md5": "md5", "sha1": "sha1", "sha256": "sha256", "sha512": "sha512"}


class FormFields(dict):
    """POST fields keyed by name, each with all its values, read by RequestValidator through getall."""

    def __init__(self, pairs):
        super().__init__()
        for name, value in pairs:
            self.setdefault(name, []).append(value)

    def getall(self, name):
        return self[name]


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
    header = f"AWS4-HMAC-SHA256 Credential={case['access_key_id']}/{scope}, SignedHeaders={signed}, Signature={signature}"
    return {"signature": header, "valid": None}


def twilio(case):
    validator = RequestValidator(case["auth_token"])
    fields = FormFields(case["params"])
    result = {"signature": validator.compute_signature(case["url"], fields), "valid": None}
    if "signature" in case:
        result["valid"] = validator.validate(case["url"], fields, case["signature"])
    return result


def vonage_callback(case):
    names = [name for name, _ in case["params"]]
    if len(set(names)) != len(names):
        raise ValueError(f"invalid Vonage case: repeated parameter names in {names}. Give each name once.")
    client = vonage.Client(key="lifeline", signature_secret=case["secret"], signature_method=VONAGE_METHODS[case["method"]])
    params = {name: value for name, value in case["params"] if name != "sig"}
    result = {"signature": client.signature(dict(params)), "valid": None}
    if "signature" in case:
        result["valid"] = client.check_signature({**params, "sig": case["signature"]})
    return result


def main():
    cases = json.load(sys.stdin)
    kinds = {"sigv4": sigv4, "twilio": twilio, "vonage": vonage_callback}
    json.dump([kinds[case["kind"]](case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
