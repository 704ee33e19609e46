"""An SMSC built on smpp.twisted3, for testing Lifeline's ESME client against an independent peer.

Listens on 127.0.0.1 on the port given (0 picks a free one) and prints the bound port on
stdout as its first line. Accepts binds of one configured system_id/password, answers each
submit_sm with a message id, and sends a delivery receipt deliver_sm (esm_class 0x04, the
SMPP 3.4 Appendix B text, receipted_message_id and message_state) for each submit.

Exits when stdin closes or after --lifetime seconds, whichever comes first.

    smsc_twisted.py [--port N] [--system-id ID] [--password PW] [--lifetime S] [--receipt-delay S]
"""

import argparse
import itertools
import logging
import sys
import time

from twisted.cred.checkers import ICredentialsChecker
from twisted.cred.credentials import IUsernamePassword
from twisted.cred.error import UnauthorizedLogin
from twisted.cred.portal import IRealm, Portal
from twisted.internet import defer, protocol, reactor, stdio
from zope.interface import implementer

from smpp.pdu.operations import DeliverSM, SubmitSM
from smpp.pdu.pdu_types import (
    CommandStatus,
    EsmClass,
    EsmClassMode,
    EsmClassType,
    MessageState,
)
from smpp.twisted.config import SMPPServerConfig
from smpp.twisted.protocol import DataHandlerResponse
from smpp.twisted.server import IAuthenticatedSMPP, SMPPServerFactory

log = logging.getLogger("smsc_twisted")


@implementer(IRealm)
class SMSCRealm:
    """Grants every authenticated system the SMPP interface; there is nothing to log out of."""

    def requestAvatar(self, avatar_id, mind, *interfaces):
        return IAuthenticatedSMPP, avatar_id, lambda: None


@implementer(ICredentialsChecker)
class SingleAccountChecker:
    """Accepts one system_id/password pair, compared as the text the server decoded from the bind."""

    credentialInterfaces = (IUsernamePassword,)

    def __init__(self, system_id, password):
        self.system_id = system_id
        self.password = password

    def requestAvatarId(self, credentials):
        if credentials.username == self.system_id and credentials.password == self.password:
            return defer.succeed(credentials.username)
        return defer.fail(UnauthorizedLogin())


class ReceiptingSMSC:
    """Answers submit_sm with increasing ids and schedules one receipt per submit."""

    def __init__(self, receipt_delay):
        self.receipt_delay = receipt_delay
        self.ids = itertools.count(1)

    def handle(self, system_id, smpp, pdu):
        if not isinstance(pdu, SubmitSM):
            return CommandStatus.ESME_RINVCMDID
        message_id = "TW%06d" % next(self.ids)
        log.debug("submit_sm from %s answered with %s", system_id, message_id)
        reactor.callLater(self.receipt_delay, self.send_receipt, smpp, pdu, message_id)
        return DataHandlerResponse(status=CommandStatus.ESME_ROK, message_id=message_id.encode())

    def send_receipt(self, smpp, submit, message_id):
        if not smpp.isBound():
            log.debug("receipt for %s dropped: connection not bound", message_id)
            return
        stamp = time.strftime("%y%m%d%H%M", time.gmtime())
        original = submit.params.get("short_message") or b""
        text = (
            "id:%s sub:001 dlvrd:001 submit date:%s done date:%s stat:DELIVRD err:000 text:"
            % (message_id, stamp, stamp)
        ).encode() + original[:20]
        receipt = DeliverSM(
            source_addr_ton=submit.params["dest_addr_ton"],
            source_addr_npi=submit.params["dest_addr_npi"],
            source_addr=submit.params["destination_addr"],
            dest_addr_ton=submit.params["source_addr_ton"],
            dest_addr_npi=submit.params["source_addr_npi"],
            destination_addr=submit.params["source_addr"],
            esm_class=EsmClass(EsmClassMode.DEFAULT, EsmClassType.SMSC_DELIVERY_RECEIPT),
            short_message=text,
            receipted_message_id=message_id.encode(),
            message_state=MessageState.DELIVERED,
        )
        deferred = smpp.sendDataRequest(receipt)
        deferred.addErrback(lambda failure: log.debug("receipt for %s failed: %s", message_id, failure))


class StdinWatcher(protocol.Protocol):
    """Stops the reactor when the parent closes our stdin."""

    def dataReceived(self, data):
        pass

    def connectionLost(self, reason):
        log.debug("stdin closed; stopping")
        if reactor.running:
            reactor.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--system-id", default="lifeline")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--lifetime", type=float, default=120.0)
    parser.add_argument("--receipt-delay", type=float, default=0.05)
    args = parser.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(name)s %(levelname)s %(message)s")

    portal = Portal(SMSCRealm(), [SingleAccountChecker(args.system_id, args.password)])
    smsc = ReceiptingSMSC(args.receipt_delay)
    config = SMPPServerConfig(
        msgHandler=smsc.handle,
        systems={args.system_id: {"max_bindings": 4}},
        enquireLinkTimerSecs=30,
    )
    factory = SMPPServerFactory(config, auth_portal=portal)
    listening = reactor.listenTCP(args.port, factory, interface="127.0.0.1")
    print(listening.getHost().port, flush=True)

    stdio.StandardIO(StdinWatcher())
    reactor.callLater(args.lifetime, reactor.stop)
    reactor.run()


if __name__ == "__main__":
    main()
