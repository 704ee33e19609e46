/// The text of `lifeline --help`.
enum HelpText {
    static let overview = """
        lifeline: an on-site SMS gateway with a failover pool of providers.

        USAGE
          lifeline serve    [--config FILE]                 run the daemon
          lifeline send     [--config FILE] --to NUMBER --text TEXT [--priority P] [--json]
                                                            queue one message (the daemon need not run)
          lifeline messages [--config FILE] [--limit N] [--json]
                                                            list messages, newest first
          lifeline messages [--config FILE] --id N [--json] one message with its attempts and events
          lifeline messages [--config FILE] --inbound [--limit N] [--json]
                                                            received messages, newest first, senders masked
          lifeline broadcast [--config FILE] (--group NAME | --to-file FILE)
                            (--text TEXT | --template NAME [--var KEY=VALUE]...)
                            [--priority P] [--idempotency-key K] [--json] [--wait]
                                                            queue one message per recipient in one transaction
          lifeline contacts import FILE --group NAME [--json]
                                                            import contacts from CSV into a group
          lifeline contacts list [--group NAME] [--json]    list contacts
          lifeline contacts delete --group NAME             delete a group (its contacts stay)
          lifeline status   [--config FILE] [--json]        providers, breakers and queue depth
          lifeline config check FILE                        validate a config file, secrets masked
          lifeline sms inspect --text TEXT [--transliterate] [--json]
                                                            encoding and segments of a text
          lifeline sms decode HEX [--no-smsc] [--json]      decode an SMS TPDU
          lifeline modem probe DEVICE [--baud N] [--pin-file FILE] [--json]
                                                            check a modem before it goes into the config
                                                            (0 healthy, 69 not usable, 66 no such device)
          lifeline demo                                     show the failover pool on simulated peers
          lifeline simulate smsc [--port N] [--system-id ID] [--password PW] [--receipt-delay DURATION] [--verbose]
                                                            run the SMSC simulator on 127.0.0.1 until SIGINT/SIGTERM
          lifeline bench smpp --messages N [--window W] [--smsc-port P]
                                                            measure end-to-end SMPP throughput of the daemon

        OPTIONS
          --config FILE   the config file; default $LIFELINE_CONFIG, else /etc/lifeline/lifeline.yaml
          --priority P    emergency, high, normal (default) or bulk
          --json          machine-readable output

        EXIT CODES
          0   success
          1   the demo saw a message take an unexpected path; broadcast --wait saw a message
              end in a state other than delivered
          64  usage error: unknown command or option, missing value
          65  invalid input: phone number, empty text, malformed PDU, a rejected broadcast,
              rejected CSV rows (the valid rows are still imported)
          66  the config file does not exist
          69  the database cannot be used: read-only, locked, full or damaged
          70  internal error
          78  invalid config file
        """
}
