/// The effective config as YAML, for `lifeline config check`.
extension LifelineConfig {
    /// Writes every setting, defaults included, as YAML that loads back to the same values
    /// except for secrets: each secret is written as `********` with its source in a comment.
    public func renderEffective() -> String {
        var writer = YAMLWriter()
        writer.comment("Effective Lifeline configuration, defaults included. Secrets are masked.")
        writer.field("database", database)
        if usesPostgreSQL {
            if let databasePassword {
                writer.field("database_password", databasePassword)
            }
            writer.field("node", node)
        }
        if !statusFileIsDefault {
            writer.field("status_file", statusFile)
        }
        writer.field("log_level", raw: logLevel.description)
        if let defaultRegion {
            writer.field("default_region", defaultRegion)
        }

        if let http {
            writer.section("http") { writer in
                writer.field("listen", http.listen)
                if let publicURL = http.publicURL {
                    writer.field("public_url", publicURL)
                }
            }
        }

        writer.section("queue") { writer in
            writer.field("max_attempts", queue.maxAttempts)
            writer.field("lease", queue.lease)
            writer.field("on_ambiguous", raw: queue.onAmbiguous.rawValue)
            writer.field("delivery_deadline", raw: Self.flowMapping(queue.deliveryDeadline))
            writer.field("max_wait", raw: Self.flowMapping(queue.maxWait))
            writer.field("max_segments", queue.maxSegments)
            writer.field("retention", queue.retention)
        }

        writer.section("breaker") { writer in
            writer.field("failure_threshold", breaker.failureThreshold)
            writer.field("cooldown", breaker.cooldown)
        }

        writer.section("shared") { writer in
            writer.field("handoff_wait", shared.handoffWait)
        }

        writer.field("admins", raw: YAMLWriter.flowList(admins))
        writer.section("alerts") { writer in
            writer.field("backlog_threshold", alerts.backlogThreshold)
            writer.field("backlog_for", alerts.backlogDuration)
            writer.field("receiver_down_for", alerts.receiverDownDuration)
        }
        renderTemplates(&writer)
        renderAPITokens(&writer)

        writer.section("providers") { writer in
            for provider in providers {
                writer.listItem { provider.render(&$0) }
            }
        }
        return writer.text
    }

    private func renderTemplates(_ writer: inout YAMLWriter) {
        guard !templates.isEmpty else {
            writer.field("templates", raw: "{}")
            return
        }
        writer.section("templates") { writer in
            for name in templates.keys.sorted() {
                writer.field(name, templates[name] ?? "")
            }
        }
    }

    private func renderAPITokens(_ writer: inout YAMLWriter) {
        guard !apiTokens.isEmpty else {
            writer.field("api_tokens", raw: "[]")
            return
        }
        writer.section("api_tokens") { writer in
            for token in apiTokens {
                writer.listItem { writer in
                    writer.field("name", token.name)
                    writer.field("role", raw: token.role.rawValue)
                    writer.field("token", token.token)
                }
            }
        }
    }

    private static func flowMapping(_ durations: PriorityDurations) -> String {
        let parts = [
            ("emergency", durations.emergency),
            ("high", durations.high),
            ("normal", durations.normal),
            ("bulk", durations.bulk),
        ]
        return "{" + parts.map { "\($0.0): \(ConfigDurationFormat.format($0.1))" }.joined(separator: ", ") + "}"
    }
}

extension ProviderSettings {
    fileprivate func render(_ writer: inout YAMLWriter) {
        writer.field("id", id)
        writer.field("type", raw: type.rawValue)
        switch kind {
        case .twilio(let settings):
            writer.field("account_sid", settings.accountSID)
            writer.field("auth_token", settings.authToken)
            writer.field("from", settings.from)
            writer.field("base_url", settings.baseURL)
            settings.timeouts.render(&writer)
            settings.proxy?.render(&writer)
            if let caFile = settings.caFile {
                writer.field("ca_file", caFile)
            }
        case .vonage(let settings):
            writer.field("api_key", settings.apiKey)
            writer.field("api_secret", settings.apiSecret)
            writer.field("from", settings.from)
            writer.field("base_url", settings.baseURL)
            settings.timeouts.render(&writer)
            if let secret = settings.signatureSecret {
                writer.field("signature_secret", secret)
                writer.field("signature_method", raw: settings.signatureMethod.rawValue)
            }
            settings.proxy?.render(&writer)
            if let caFile = settings.caFile {
                writer.field("ca_file", caFile)
            }
        case .sns(let settings):
            writer.field("region", settings.region)
            writer.field("access_key_id", settings.accessKeyID)
            writer.field("secret_access_key", settings.secretAccessKey)
            writer.field("endpoint", settings.effectiveEndpoint)
            if let senderID = settings.senderID {
                writer.field("sender_id", senderID)
            }
            settings.timeouts.render(&writer)
            settings.proxy?.render(&writer)
            if let caFile = settings.caFile {
                writer.field("ca_file", caFile)
            }
        case .smpp(let settings):
            settings.render(&writer)
        case .modem(let settings):
            for (key, value) in [("device", settings.device), ("imei", settings.imei), ("iccid", settings.iccid)] {
                if let value { writer.field(key, value) }
            }
            if let scan = settings.scan {
                writer.field("scan", scan)
            }
            writer.field("baud", settings.baud)
            if let pin = settings.pin {
                writer.field("pin", pin)
            }
            writer.field("status_reports", settings.statusReports)
            writer.field("reset_command", settings.resetCommand)
            writer.field("usb_reset", settings.usbReset)
        }
        if let rate {
            writer.field("rate", raw: "{per_second: \(ConfigValue.format(rate.perSecond)), burst: \(rate.burst)}")
        }
        if transliterate {
            writer.field("transliterate", true)
        }
        if type != .modem && !isShared {
            writer.field("shared", false)
        }
    }
}

extension SMPPSettings {
    fileprivate func render(_ writer: inout YAMLWriter) {
        writer.field("host", host)
        writer.field("port", port)
        writer.field("system_id", systemID)
        writer.field("password", password)
        if !systemType.isEmpty {
            writer.field("system_type", systemType)
        }
        writer.field("bind", raw: bind.rawValue)
        writer.field("window", window)
        writer.field("enquire_link", enquireLink)
        writer.field("response_timeout", responseTimeout)
        if let source {
            writer.field("source", source)
        }
        writer.field("allow_long_password", allowLongPassword)
        writer.field("data_coding_gsm", raw: dataCodingGSM.rawValue)
        writer.field("message_id_format", raw: messageIDFormat.rawValue)
        writer.field("long_messages", raw: longMessages.rawValue)
        if tls {
            writer.field("tls", true)
            if let caFile {
                writer.field("ca_file", caFile)
            }
            writer.field("verify", verify)
        }
        if let outbindPort {
            writer.field("outbind_port", outbindPort)
            writer.field("outbind_address", outbindAddress)
            if let outbindSystemID {
                writer.field("outbind_system_id", outbindSystemID)
            }
        }
    }
}

extension HTTPTimeouts {
    fileprivate func render(_ writer: inout YAMLWriter) {
        writer.field("timeout", request)
        writer.field("connect_timeout", connect)
    }
}

extension HTTPProxySettings {
    fileprivate func render(_ writer: inout YAMLWriter) {
        writer.field("proxy", url)
        if let username, let password {
            writer.field("proxy_username", username)
            writer.field("proxy_password", password)
        }
        if !noProxy.isEmpty {
            writer.field("no_proxy", raw: YAMLWriter.flowList(noProxy))
        }
    }
}
