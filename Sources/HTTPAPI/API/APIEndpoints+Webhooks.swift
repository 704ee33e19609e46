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
    /// The config has no Vonage signature secret, so receipts are accepted unsigned. Keep the
    /// webhook path off the public internet, or behind a proxy that filters Vonage's addresses.
    /// With several Vonage providers the receipt's `api-key` picks the provider. Returns 204.
    func vonageWebhook(_ request: HTTPRequest) async throws -> HTTPResponse {
        let providers = config.providers.compactMap { provider -> (id: String, settings: Config.VonageSettings)? in
            if case .vonage(let settings) = provider.kind { return (provider.id, settings) }
            return nil
        }
        guard !providers.isEmpty else {
            throw APIError(.webhookNotConfigured, "no Vonage provider is configured")
        }
        let receipt = try Self.vonageReceipt(request)
        let chosen = providers.first { $0.settings.apiKey == receipt.apiKey } ?? providers[0]
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

    /// Reads the receipt from the query (GET), a JSON body or a form body.
    private static func vonageReceipt(_ request: HTTPRequest) throws(APIError) -> VonageDeliveryReceipt {
        do {
            if request.method == "GET" {
                return try VonageDeliveryReceipt(
                    fields: request.query.map { FormField(name: $0.name, value: $0.value) }
                )
            }
            if request.header("content-type")?.lowercased().hasPrefix("application/json") == true {
                return try VonageDeliveryReceipt(json: request.body)
            }
            let fields: [FormField]
            do {
                fields = try FormEncoding.decode(String(decoding: request.body, as: UTF8.self))
            } catch {
                throw APIError(.malformedForm, "the body is not a valid form encoding")
            }
            return try VonageDeliveryReceipt(fields: fields)
        } catch let error as VonageReceiptError {
            switch error {
            case .missingField(let name):
                throw APIError(.missingField, "the receipt has no \(name)", field: name)
            case .malformedJSON:
                throw APIError(.malformedJSON, "the receipt body is not a JSON object")
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.internalError, "the receipt cannot be read: \(error)")
        }
    }

    /// `publicURL` without a trailing slash, then `path`.
    static func signedURL(publicURL: String, path: String) -> String {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
