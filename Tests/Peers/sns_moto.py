#!/usr/bin/env python3
"""moto's AWS server on 127.0.0.1 with request signing enforced, for Lifeline's SNS tests.

Starts moto's threaded server on a free port and creates an IAM user allowed to call sns:Publish,
with an access key. Then it turns on moto's authentication. Every later request must carry a
Signature Version 4 signature, which moto recomputes with botocore from that key. Messages that
moto accepts are listed by GET /moto-api/data.json under sns.SMS.

Usage: sns_moto.py [--lifetime SECONDS]
The first line on stdout is a JSON object: {"port": N, "access_key_id": ..., "secret_access_key": ...}.
The server exits when stdin closes or after --lifetime seconds (default 120).
"""

import argparse
import json
import logging
import os
import sys
import threading
import urllib.request

import boto3
from moto.server import ThreadedMotoServer


def exit_when_stdin_closes():
    """Blocks until the test closes stdin (or dies), then ends the process."""
    sys.stdin.read()
    os._exit(0)


def create_publisher(base_url):
    """Creates an IAM user that may publish to SNS and returns its access key pair."""
    iam = boto3.client(
        "iam",
        endpoint_url=base_url,
        region_name="us-east-1",
        aws_access_key_id="setup",
        aws_secret_access_key="setup",
    )
    iam.create_user(UserName="lifeline")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="lifeline", PolicyName="publish-sms", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="lifeline")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def enforce_signatures(base_url):
    """Makes moto authenticate every request from now on (no unauthenticated actions left)."""
    request = urllib.request.Request(
        base_url + "/moto-api/reset-auth",
        data=b"0",
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifetime", type=float, default=120.0)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    base_url = f"http://127.0.0.1:{port}"
    access_key_id, secret_access_key = create_publisher(base_url)
    enforce_signatures(base_url)

    print(json.dumps({"port": port, "access_key_id": access_key_id, "secret_access_key": secret_access_key}))
    sys.stdout.flush()

    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    threading.Event().wait(args.lifetime)
    os._exit(0)


if __name__ == "__main__":
    main()
