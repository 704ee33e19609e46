#!/usr/bin/env python3
"""A fake of Twilio's Messages API on 127.0.0.1 for Lifeline's CloudSMS tests.

Every request is checked against Twilio's published OpenAPI description
(Tests/Fixtures/specs/twilio-messages.openapi.json) with openapi-core and against the
configured Basic credentials. A request that does not conform gets a 400 whose body names the
problem. Every request is recorded; GET /_fake/requests returns the records as JSON so a test
can assert that each request conformed.

GET on the same path (the message list, used as a health probe) is checked the same way and
returns an empty page.

The response to a conforming message create is chosen by its To number (Twilio's own magic test
numbers, +1500555xxxx, so no real number is ever involved):

    +15005550001  400, code 21211 (invalid To number)
    +15005550002  400, code 21614 (To is not a mobile number)
    +15005550003  401, code 20003 (authentication failed)
    +15005550004  429, code 20429, Retry-After: 7
    +15005550005  500 with a JSON error body
    +15005550006  200 with an HTML body (not JSON)
    +15005550007  201 with a 10 MB body
    +15005550008  no response ever (black hole) until the client hangs up
    +15005550009  200 sent one byte every 200 ms (slow trickle)
    +15005550010  200 with JSON but no sid
    anything else 201 with the documented message resource and a fresh SM sid

Vonage's SMS API is faked the same way at POST /sms/json, checked against
Tests/Fixtures/specs/vonage-sms.openapi.yml and the configured api_key and api_secret, and
scripted by the `to` number (no leading +):

    15005550001   status 6 (invalid message: unknown prefix)
    15005550004   status 1 (throttled)
    15005550005   HTTP 500
    15005550006   200 with an HTML body
    15005550007   status 7 (number barred)
    15005550010   status 0 without a message-id
    anything else status 0 with a fresh message-id
A wrong api_key or api_secret gets status 4, as Vonage does.

Amazon SNS is faked at POST / with Action=Publish: parameters are checked against the Publish
input shape of botocore's SNS service model, the Signature Version 4 Authorization header is
recomputed with botocore from --aws-access-key and --aws-secret-key, and the response is scripted
by PhoneNumber:

    +15005550001  400 InvalidParameter naming PhoneNumber
    +15005550004  400 Throttling
    +15005550005  500 InternalError
    +15005550010  200 without a MessageId
    anything else 200 PublishResponse with a fresh MessageId
A request whose signature does not match gets 403 SignatureDoesNotMatch.

It also acts as a plain HTTP proxy for these requests: an absolute-form request target
(POST http://any.host/2010-04-01/...) is served the same way and recorded as proxied, with the
Proxy-Authorization it carried checked against --proxy-user and --proxy-password.

Usage: cloud_fake.py [--port N] [--lifetime SECONDS] --account-sid AC... --auth-token TOKEN
                     [--api-key SK... --api-secret SECRET]
                     [--vonage-key KEY --vonage-secret SECRET]
                     [--aws-access-key KEY --aws-secret-key SECRET]
                     [--proxy-user USER --proxy-password PASSWORD]
The first line on stdout is the bound port. The fake exits when stdin closes or after
--lifetime seconds (default 120).
"""

import argparse
import base64
import binascii
import json
import os
import secrets
import select
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import uuid

import botocore.session
import yaml
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

SPECS = Path(__file__).resolve().parent.parent / "Fixtures" / "specs"
TWILIO_SERVER = "https://api.twilio.com"
VONAGE_SERVER = "https://rest.nexmo.com"
MESSAGES_PATH = "/2010-04-01/Accounts/{sid}/Messages.json"
TEN_MEGABYTES = 10 * 1024 * 1024


def twilio_error(status, code, message):
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class Fake:
    """Configuration, the loaded spec and the request records shared by handler threads."""

    def __init__(self, args):
        self.args = args
        with open(SPECS / "twilio-messages.openapi.json", encoding="utf-8") as f:
            spec = json.load(f)
        self.twilio = OpenAPI.from_dict(spec)
        post = spec["paths"]["/2010-04-01/Accounts/{AccountSid}/Messages.json"]["post"]
        examples = post["responses"]["201"]["content"]["application/json"]["examples"]
        self.message_example = examples["createWoService"]["value"]
        with open(SPECS / "vonage-sms.openapi.yml", encoding="utf-8") as f:
            self.vonage = OpenAPI.from_dict(yaml.safe_load(f))
        self.sns_publish = botocore.session.get_session().get_service_model("sns").operation_model("Publish")
        self.lock = threading.Lock()
        self.records = []
        self.deadline = time.monotonic() + args.lifetime

    def record(self, entry):
        with self.lock:
            self.records.append(entry)

    def snapshot(self):
        with self.lock:
            return list(self.records)

    def credentials_ok(self, header):
        if not header or not header.startswith("Basic "):
            return "missing"
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return "malformed"
        allowed = {(self.args.account_sid, self.args.auth_token)}
        if self.args.api_key:
            allowed.add((self.args.api_key, self.args.api_secret))
        return "ok" if (user, password) in allowed else "wrong"

    def proxy_credentials_ok(self, header):
        if not header:
            return "missing"
        if not self.args.proxy_user:
            return "unexpected"
        expected = base64.b64encode(f"{self.args.proxy_user}:{self.args.proxy_password}".encode()).decode()
        return "ok" if header == "Basic " + expected else "wrong"

    def validate_publish(self, fields, content_type):
        """Checks a Query API Publish against botocore's model; returns the problems found."""
        problems = []
        if not (content_type or "").startswith("application/x-www-form-urlencoded"):
            problems.append(f"Content-Type: expected application/x-www-form-urlencoded, got {content_type}")
        if fields.get("Action") != "Publish":
            problems.append(f"Action: expected Publish, got {fields.get('Action')}")
        if fields.get("Version") != self.sns_publish.service_model.api_version:
            problems.append(f"Version: expected {self.sns_publish.service_model.api_version}, got {fields.get('Version')}")

        shape = self.sns_publish.input_shape
        for name in shape.required_members:
            if not fields.get(name):
                problems.append(f"{name}: required by the Publish input shape")

        attributes = {}
        for name, value in fields.items():
            top = name.split(".", 1)[0]
            if name in ("Action", "Version"):
                continue
            if top not in shape.members:
                problems.append(f"{name}: not a member of the Publish input shape")
            elif top == "MessageAttributes":
                parts = name.split(".")
                known = [["Name"], ["Value", "DataType"], ["Value", "StringValue"], ["Value", "BinaryValue"]]
                if len(parts) < 4 or parts[1] != "entry" or not parts[2].isdigit() or parts[3:] not in known:
                    problems.append(f"{name}: not a MessageAttributes map entry")
                else:
                    attributes.setdefault(parts[2], {})[".".join(parts[3:])] = value

        for index, entry in attributes.items():
            if not entry.get("Name") or not entry.get("Value.DataType"):
                problems.append(f"MessageAttributes.entry.{index}: Name and Value.DataType are required")
            if entry.get("Name") == "AWS.SNS.SMS.SMSType" and entry.get("Value.StringValue") not in ("Transactional", "Promotional"):
                problems.append("AWS.SNS.SMS.SMSType: expected Transactional or Promotional")

        phone = fields.get("PhoneNumber", "")
        if not (phone.startswith("+") and phone[1:].isdigit()):
            problems.append("PhoneNumber: expected E.164 with a leading +")
        return problems

    def sigv4_ok(self, method, headers, body):
        """Recomputes the Signature Version 4 signature with botocore; returns ok, missing or wrong."""
        authorization = headers.get("Authorization", "")
        if not authorization.startswith("AWS4-HMAC-SHA256 "):
            return "missing"
        try:
            parts = dict(item.strip().split("=", 1) for item in authorization[len("AWS4-HMAC-SHA256 "):].split(","))
            access_key, day, region, service, _ = parts["Credential"].split("/")
        except (KeyError, ValueError):
            return "malformed"
        if access_key != self.args.aws_access_key or service != "sns":
            return "wrong"
        signed = {name: headers[name] for name in headers if name.lower() in ("content-type", "x-amz-date")}
        request = AWSRequest(method=method, url=f"http://{headers.get('Host')}/", data=body, headers=signed)
        request.context["timestamp"] = headers.get("X-Amz-Date", "")
        credentials = Credentials(self.args.aws_access_key, self.args.aws_secret_key, headers.get("X-Amz-Security-Token"))
        auth = SigV4Auth(credentials, "sns", region)
        auth._modify_request_before_signing(request)
        canonical = auth.canonical_request(request)
        expected = auth.signature(auth.string_to_sign(request, canonical), request)
        expected_headers = auth.signed_headers(auth.headers_to_sign(request))
        if parts.get("Signature") != expected or parts.get("SignedHeaders") != expected_headers:
            return "wrong"
        return "ok"

    def validate(self, spec, server, method, path, headers, body):
        """Returns the list of problems openapi-core finds, as text; empty when the request conforms."""
        # The request is checked as if sent to Twilio's own server: the fake's host is not in the spec.
        forwarded = [(name, value) for name, value in headers.items() if name.lower() != "host"]
        builder = EnvironBuilder(
            path=path,
            base_url=server,
            method=method,
            headers=forwarded,
            data=body,
        )
        request = WerkzeugOpenAPIRequest(Request(builder.get_environ()))
        result = spec.unmarshal_request(request)
        problems = []
        for error in result.errors:
            text = f"{type(error).__name__}: {error}"
            for detail in getattr(error.__cause__, "schema_errors", None) or []:
                text += f"; {detail.message}"
            problems.append(text)
        return problems

    def message_resource(self, fields):
        resource = dict(self.message_example)
        sid = "SM" + secrets.token_hex(16)
        resource.update(
            {
                "sid": sid,
                "account_sid": self.args.account_sid,
                "to": fields.get("To"),
                "from": fields.get("From"),
                "messaging_service_sid": fields.get("MessagingServiceSid"),
                "body": fields.get("Body"),
                "status": "queued",
                "uri": f"/2010-04-01/Accounts/{self.args.account_sid}/Messages/{sid}.json",
            }
        )
        return resource


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: Fake = None

    def log_message(self, format, *args):
        if self.fake.args.verbose:
            sys.stderr.write("cloud_fake: " + (format % args) + "\n")

    def send_json(self, status, payload, extra_headers=()):
        data = json.dumps(payload).encode()
        self.send_bytes(status, data, "application/json", extra_headers)

    def send_bytes(self, status, data, content_type, extra_headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/_fake/requests":
            self.send_json(200, self.fake.snapshot())
            return
        prefix, suffix = "/2010-04-01/Accounts/", "/Messages.json"
        if not (path.startswith(prefix) and path.endswith(suffix)):
            self.send_json(404, twilio_error(404, 20404, "The requested resource was not found"))
            return

        problems = self.fake.validate(self.fake.twilio, TWILIO_SERVER, "GET", self.path, dict(self.headers.items()), b"")
        auth = self.fake.credentials_ok(self.headers.get("Authorization"))
        self.fake.record(
            {
                "method": "GET",
                "path": path,
                "conforms": not problems,
                "problems": problems,
                "auth": auth,
                "proxied": False,
                "proxy_auth": "missing",
                "content_type": self.headers.get("Content-Type"),
                "client_port": self.client_address[1],
                "fields": dict(parse_qsl(self.path.partition("?")[2])),
            }
        )
        if problems:
            self.send_json(400, {"code": 0, "message": "request does not conform to the OpenAPI description",
                                 "problems": problems, "status": 400})
        elif auth != "ok":
            self.send_json(401, twilio_error(401, 20003, "Authenticate"))
        elif path != prefix + self.fake.args.account_sid + suffix:
            self.send_json(404, twilio_error(404, 20404, "The requested resource was not found"))
        else:
            uri = path + "?PageSize=1&Page=0"
            self.send_json(200, {"messages": [], "end": 0, "first_page_uri": uri, "next_page_uri": None, "page": 0,
                                 "page_size": 1, "previous_page_uri": None, "start": 0, "uri": uri})

    def target(self):
        """The path asked for and whether it came through a proxy (absolute-form request target)."""
        if self.path.startswith(("http://", "https://")):
            after_scheme = self.path.split("://", 1)[1]
            return "/" + after_scheme.partition("/")[2], True
        return self.path, False

    def do_POST(self):
        body = self.read_body()
        request_target, proxied = self.target()
        path = request_target.split("?", 1)[0]
        if path == "/sms/json":
            self.vonage_send(request_target, body)
            return
        if path == "/":
            self.sns_publish(body)
            return
        prefix, suffix = "/2010-04-01/Accounts/", "/Messages.json"
        if not (path.startswith(prefix) and path.endswith(suffix)):
            self.send_json(404, twilio_error(404, 20404, "The requested resource was not found"))
            return

        headers = dict(self.headers.items())
        problems = self.fake.validate(self.fake.twilio, TWILIO_SERVER, "POST", request_target, headers, body)
        auth = self.fake.credentials_ok(self.headers.get("Authorization"))
        fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        self.fake.record(
            {
                "method": "POST",
                "path": path,
                "conforms": not problems,
                "problems": problems,
                "auth": auth,
                "proxied": proxied,
                "proxy_auth": self.fake.proxy_credentials_ok(self.headers.get("Proxy-Authorization")),
                "content_type": self.headers.get("Content-Type"),
                "client_port": self.client_address[1],
                "fields": fields,
            }
        )

        if problems:
            self.send_json(400, {"code": 0, "message": "request does not conform to the OpenAPI description",
                                 "problems": problems, "status": 400})
            return
        if auth != "ok":
            self.send_json(401, twilio_error(401, 20003, "Authenticate"))
            return
        if path != prefix + self.fake.args.account_sid + suffix:
            self.send_json(404, twilio_error(404, 20404, "The requested resource was not found"))
            return
        self.answer(fields)

    def answer(self, fields):
        to = fields.get("To", "")
        if to == "+15005550001":
            self.send_json(400, twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number."))
        elif to == "+15005550002":
            self.send_json(400, twilio_error(400, 21614, f"'To' number {to} is not a mobile number"))
        elif to == "+15005550003":
            self.send_json(401, twilio_error(401, 20003, "Authenticate"))
        elif to == "+15005550004":
            self.send_json(429, twilio_error(429, 20429, "Too Many Requests"), [("Retry-After", "7")])
        elif to == "+15005550005":
            self.send_json(500, {"code": 20500, "message": "An internal server error has occurred", "status": 500})
        elif to == "+15005550006":
            self.send_bytes(200, b"<html><body>Gateway maintenance</body></html>", "text/html")
        elif to == "+15005550007":
            self.send_bytes(201, b"x" * TEN_MEGABYTES, "application/json")
        elif to == "+15005550008":
            self.hold_until_hangup()
        elif to == "+15005550009":
            self.trickle(json.dumps(self.fake.message_resource(fields)).encode())
        elif to == "+15005550010":
            self.send_json(200, {"status": "queued", "to": to})
        else:
            self.send_json(201, self.fake.message_resource(fields))

    def vonage_send(self, request_target, body):
        headers = dict(self.headers.items())
        problems = self.fake.validate(self.fake.vonage, VONAGE_SERVER, "POST", request_target, headers, body)
        fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        # The description's pattern for `to` is not anchored, so it lets a leading + through.
        if not fields.get("to", "").isdigit():
            problems.append("to: expected digits only (E.164 without the +)")
        args = self.fake.args
        credentials = (fields.get("api_key"), fields.get("api_secret"))
        auth = "ok" if credentials == (args.vonage_key, args.vonage_secret) else "wrong"
        self.fake.record(
            {
                "method": "POST",
                "path": "/sms/json",
                "conforms": not problems,
                "problems": problems,
                "auth": auth,
                "proxied": False,
                "proxy_auth": "missing",
                "content_type": self.headers.get("Content-Type"),
                "client_port": self.client_address[1],
                "fields": fields,
            }
        )
        to = fields.get("to", "")

        def reply(status, **extra):
            message = {"status": status, **extra}
            if status == "0":
                message = {"to": to, "remaining-balance": "3.14159265", "message-price": "0.03330000",
                           "network": "23410", **message}
            self.send_json(200, {"message-count": "1", "messages": [message]})

        if problems:
            reply("3", **{"error-text": "Invalid parameters: " + "; ".join(problems)})
        elif auth != "ok":
            reply("4", **{"error-text": "Bad Credentials"})
        elif to == "15005550001":
            reply("6", **{"error-text": f"Unroutable message - rejected {to}"})
        elif to == "15005550004":
            reply("1", **{"error-text": "Throughput Rate Exceeded - please wait [ 30 ] and retry"})
        elif to == "15005550005":
            self.send_json(500, {"type": "https://developer.vonage.com/api-errors#internal", "title": "Internal Error"})
        elif to == "15005550006":
            self.send_bytes(200, b"<html><body>Gateway maintenance</body></html>", "text/html")
        elif to == "15005550007":
            reply("7", **{"error-text": "Number barred"})
        elif to == "15005550010":
            reply("0")
        else:
            reply("0", **{"message-id": secrets.token_hex(8).upper()})

    def sns_publish(self, body):
        fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        problems = self.fake.validate_publish(fields, self.headers.get("Content-Type"))
        auth = self.fake.sigv4_ok("POST", dict(self.headers.items()), body)
        self.fake.record(
            {
                "method": "POST",
                "path": "/",
                "conforms": not problems,
                "problems": problems,
                "auth": auth,
                "proxied": False,
                "proxy_auth": "missing",
                "content_type": self.headers.get("Content-Type"),
                "client_port": self.client_address[1],
                "fields": fields,
            }
        )

        def error(status, kind, code, message):
            xml = (
                '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
                f"<Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
            )
            self.send_bytes(status, xml.encode(), "text/xml")

        phone = fields.get("PhoneNumber", "")
        if problems:
            error(400, "Sender", "InvalidParameter", "Invalid parameter: " + "; ".join(problems))
        elif auth != "ok":
            error(403, "Sender", "SignatureDoesNotMatch",
                  "The request signature we calculated does not match the signature you provided.")
        elif phone == "+15005550001":
            error(400, "Sender", "InvalidParameter", f"Invalid parameter: PhoneNumber Reason: {phone} is not valid to publish to")
        elif phone == "+15005550004":
            error(400, "Sender", "Throttling", "Rate exceeded")
        elif phone == "+15005550005":
            error(500, "Receiver", "InternalError", "An internal error occurred")
        else:
            result = "" if phone == "+15005550010" else f"<MessageId>{uuid.uuid4()}</MessageId>"
            xml = (
                '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
                f"<PublishResult>{result}</PublishResult>"
                f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></PublishResponse>"
            )
            self.send_bytes(200, xml.encode(), "text/xml")

    def hold_until_hangup(self):
        """Never responds; returns once the client closes the connection or the fake's life ends."""
        self.close_connection = True
        while time.monotonic() < self.fake.deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.5)
            if readable and not self.connection.recv(4096):
                return

    def trickle(self, data):
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.flush()
        try:
            for index in range(len(data)):
                if time.monotonic() >= self.fake.deadline:
                    return
                self.wfile.write(data[index:index + 1])
                self.wfile.flush()
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            return


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up mid-body (the size-limit and timeout cases) is expected here.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def exit_when_stdin_closes():
    while sys.stdin.buffer.read1(4096):
        pass
    os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifetime", type=float, default=120.0)
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one")
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--api-key")
    parser.add_argument("--api-secret")
    parser.add_argument("--vonage-key")
    parser.add_argument("--vonage-secret")
    parser.add_argument("--aws-access-key")
    parser.add_argument("--aws-secret-key")
    parser.add_argument("--proxy-user")
    parser.add_argument("--proxy-password")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    Handler.fake = Fake(args)
    server = Server(("127.0.0.1", args.port), Handler)
    print(server.server_address[1], flush=True)

    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    timer = threading.Timer(args.lifetime, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    server.serve_forever()


if __name__ == "__main__":
    main()
