import CloudSMS
import Config
import Foundation
import Gateway

extension APIEndpoints {
    /// `POST /webhooks/twilio`: a status callback, checked with `X-Twilio-Signature`.
    ///
    /// The signed URL is `http.public_url` followed by the request path, so a box behind a
    /// reverse proxy checks the URL Twilio called, not the one the proxy forwarded to. A query
    /// string on the callback URL is not part of the check: configure the URL at Twilio without one.
    /// With several Twilio providers the form's `AccountSid` picks the one whose auth token signs.
    /// Returns 204 after the report handler returned, and 403 for a bad or missing signature.
    func twilioWebhook(_ request: HTTPRequest) async throws -> HTTPResponse {
        let providers = config.providers.compactMap { provider -> (id: String, settings: Config.TwilioSettings)? in
            if case .twilio(let settings) = provider.kind { return (provider.id, settings) }
            return nil
        }
        guard !providers.isEmpty else {
            throw APIError(.webhookNotConfigured, "no Twilio provider is configured")
        }
        guard let publicURL = settings.publicURL else {
            throw APIError(.webhookNotConfigured, "set http.public_url so Twilio signatures can be checked")
        }
        let fields: [FormField]
        do {
            fields = try FormEncoding.decode(String(decoding: request.body, as: UTF8.self))
        } catch {
            throw APIError(.malformedForm, "the body is not a valid form encoding")
        }

        let account = fields.last { $0.name == "AccountSid" }?.value
        let chosen =
            providers.first { $0.settings.accountSID == account } ?? (providers.count == 1 ? providers[0] : nil)
        let url = Self.signedURL(publicURL: publicURL, path: request.path)
        let signature = request.header("x-twilio-signature")
        guard let chosen,
            TwilioSignature(authToken: chosen.settings.authToken.revealed)
                .isValid(signature: signature, url: url, parameters: fields)
        else {
            logger.warning(
                "Rejected a Twilio webhook with a bad signature",
                metadata: [
                    "webhook.provider": chosen?.id ?? "unknown", "webhook.url": url,
                    "webhook.signature_present": "\(signature != nil)",
                ]
            )
            throw APIError(.invalidSignature, "the X-Twilio-Signature header does not match this request")
        }

        let callback: TwilioStatusCallback
        do {
            callback = try TwilioStatusCallback(fields: fields)
        } catch {
            throw APIError(.invalidValue, "the status callback cannot be read: \(error)")
        }
        let report = DeliveryReport(
            providerID: chosen.id,
            providerMessageID: callback.messageSID,
            status: DeliveryReport.Status(rawValue: callback.deliveryStatus.rawValue) ?? .pending,
            reason: callback.reason
        )
        await context.deliveryReport(report)
        logger.debug(
            "Accepted a Twilio status callback",
            metadata: ["webhook.provider": chosen.id, "webhook.status": report.status.rawValue]
        )
        return HTTPResponse(status: 204)
    }

    /// `GET|POST /webhooks/vonage`: a delivery receipt as a query, a form or JSON.
    ///
    /// With several Vonage providers the receipt's `api-key` picks the provider. When that
    /// provider has a `signature_secret`, the receipt's `sig` must match (Vonage's signed
    /// webhooks) or the request is rejected with 403. Without one, receipts are accepted unsigned
    /// and the config loader warns about it. Returns 204 after the report handler returned.
    func vonageWebhook(_ request: HTTPRequest) async throws -> HTTPResponse {
        let providers = config.providers.compactMap { provider -> (id: String, settings: Config.VonageSettings)? in
            if case .vonage(let settings) = provider.kind { return (provider.id, settings) }
            return nil
        }
        guard !providers.isEmpty else {
            throw APIError(.webhookNotConfigured, "no Vonage provider is configured")
        }
        let fields = try Self.vonageFields(request)
        let apiKey = fields.last { $0.name == "api-key" }?.value
        let chosen = providers.first { $0.settings.apiKey == apiKey } ?? providers[0]
        try checkVonageSignature(fields, providerID: chosen.id, settings: chosen.settings)

        let receipt: VonageDeliveryReceipt
        do {
            receipt = try VonageDeliveryReceipt(fields: fields)
        } catch {
            switch error {
            case .missingField(let name):
                throw APIError(.missingField, "the receipt has no \(name)", field: name)
            case .malformedJSON:
                throw APIError(.malformedJSON, "the receipt body is not a JSON object")
            }
        }
        let report = DeliveryReport(
            providerID: chosen.id,
            providerMessageID: receipt.messageID,
            status: DeliveryReport.Status(rawValue: receipt.deliveryStatus.rawValue) ?? .pending,
            reason: receipt.reason
        )
        await context.deliveryReport(report)
        logger.debug(
            "Accepted a Vonage delivery receipt",
            metadata: ["webhook.provider": chosen.id, "webhook.status": report.status.rawValue]
        )
        return HTTPResponse(status: 204)
    }

    /// Checks the receipt's `sig` when the provider has a signature secret; does nothing otherwise.
    /// - Throws: `APIError.signatureRejected` (403) for a missing or wrong `sig`, naming the fix.
    private func checkVonageSignature(
        _ fields: [FormField],
        providerID: String,
        settings: Config.VonageSettings
    ) throws(APIError) {
        guard let secret = settings.signatureSecret else { return }
        let method = VonageSignature.Method(rawValue: settings.signatureMethod.rawValue) ?? .md5hash
        let signature = VonageSignature(secret: secret.revealed, method: method)
        let present = VonageSignature.signature(in: fields) != nil
        guard !signature.isValid(parameters: fields) else { return }

        logger.warning(
            "Rejected a Vonage webhook with a bad signature",
            metadata: [
                "webhook.provider": providerID, "webhook.signature_present": "\(present)",
                "webhook.signature_method": method.rawValue,
            ]
        )
        if present {
            throw APIError(
                .signatureRejected,
                "the sig parameter does not match this receipt; check that signature_secret and signature_method"
                    + " (\(method.rawValue)) of provider \(providerID) match the Vonage dashboard",
                field: VonageSignature.parameterName
            )
        }
        throw APIError(
            .signatureRejected,
            "the receipt carries no sig parameter; turn on signed webhooks for API key \(settings.apiKey) in the"
                + " Vonage dashboard, or remove signature_secret from provider \(providerID) to accept unsigned receipts",
            field: VonageSignature.parameterName
        )
    }

    /// Reads the receipt's fields from the query (GET), a JSON body or a form body.
    private static func vonageFields(_ request: HTTPRequest) throws(APIError) -> [FormField] {
        if request.method == "GET" {
            return request.query.map { FormField(name: $0.name, value: $0.value) }
        }
        if request.header("content-type")?.lowercased().hasPrefix("application/json") == true {
            do {
                return try VonageDeliveryReceipt.fields(json: request.body)
            } catch {
                throw APIError(.malformedJSON, "the receipt body is not a JSON object")
            }
        }
        do {
            return try FormEncoding.decode(String(decoding: request.body, as: UTF8.self))
        } catch {
            throw APIError(.malformedForm, "the body is not a valid form encoding")
        }
    }

    /// `publicURL` without a trailing slash, then `path`.
    static func signedURL(publicURL: String, path: String) -> String {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
