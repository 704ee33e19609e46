"""A TLS front for an SMSC on loopback, for testing Lifeline's SMPP client over TLS.

Listens on 127.0.0.1 on the port given (0 picks a free one) and prints the bound port on stdout
as its first line. Each connection is TLS-wrapped with Python's ssl module (OpenSSL) using the
certificate and key given, then its plaintext is relayed to 127.0.0.1:UPSTREAM, both ways,
until either side closes. A failed handshake is logged on stderr and the connection dropped.

Exits when stdin closes or after --lifetime seconds, whichever comes first.

    tls_proxy.py --cert CERT.pem --key KEY.pem --upstream PORT [--port N] [--lifetime S]
"""

import argparse
import logging
import socket
import ssl
import sys
import threading

log = logging.getLogger("tls_proxy")


def relay(source, destination):
    """Copies bytes from source to destination until source ends, then closes both."""
    try:
        while True:
            data = source.recv(16384)
            if not data:
                break
            destination.sendall(data)
    except OSError as error:
        log.debug("relay ended: %s", error)
    finally:
        for sock in (source, destination):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve_client(raw, context, upstream_port):
    """Completes the TLS handshake, connects upstream, and relays both ways."""
    raw.settimeout(10)
    try:
        tls = context.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError) as error:
        log.info("handshake failed: %s", error)
        raw.close()
        return
    tls.settimeout(None)
    try:
        upstream = socket.create_connection(("127.0.0.1", upstream_port), timeout=10)
    except OSError as error:
        log.info("upstream connect failed: %s", error)
        tls.close()
        return
    upstream.settimeout(None)
    threading.Thread(target=relay, args=(upstream, tls), daemon=True).start()
    relay(tls, upstream)


def accept_loop(listener, context, upstream_port):
    while True:
        try:
            raw, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=serve_client, args=(raw, context, upstream_port), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--upstream", type=int, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--lifetime", type=float, default=120.0)
    args = parser.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(name)s %(levelname)s %(message)s")

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)

    threading.Thread(target=accept_loop, args=(listener, context, args.upstream), daemon=True).start()
    # Wait for stdin to close or the lifetime to pass; daemon threads end with the process.
    stdin_closed = threading.Event()

    def watch_stdin():
        sys.stdin.read()
        stdin_closed.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    stdin_closed.wait(timeout=args.lifetime)
    listener.close()


if __name__ == "__main__":
    main()
