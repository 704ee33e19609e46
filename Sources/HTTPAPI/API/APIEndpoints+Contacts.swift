import Foundation
import Gateway

extension APIEndpoints {
    /// The media types accepted for a contact list, compared without parameters or case.
    static let csvMediaTypes: Set<String> = ["text/csv", "application/csv", "text/plain"]

    /// `POST /v1/contacts/import?group=NAME`: imports a CSV contact list into a group, by the
    /// rules of `lifeline contacts import` (`ContactSheet`).
    ///
    /// The body is the CSV file itself, at most the server's body limit of 1 MiB (an estimated
    /// 30,000 rows of number and name). A file that cannot be read as a contact list (broken
    /// quoting, not UTF-8, no header, no number column, a repeated column) is 422 `invalid_csv`
    /// naming the line where it can. Otherwise the valid rows are stored in one transaction and
    /// the response is 200 with every row's fate: imported, updated, or rejected with its line
    /// and reason. Rejected rows do not stop the others, as on the command line. When no row is
    /// valid, nothing is stored.
    func importContacts(_ request: HTTPRequest) async throws -> HTTPResponse {
        let mediaType = request.header("content-type")?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let mediaType, Self.csvMediaTypes.contains(mediaType) else {
            throw APIError(
                .unsupportedMediaType,
                "send the contact list as Content-Type: text/csv, got \(mediaType ?? "no Content-Type")"
            )
        }
        guard let group = request.queryValue("group") else {
            throw APIError(.missingField, "the query parameter \"group\" is required: ?group=attendees", field: "group")
        }
        guard !group.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError(.invalidValue, "group must not be empty: give a name such as attendees", field: "group")
        }

        let report: ContactImportReport
        do {
            report = try await ContactImporter(config: config, logger: logger)
                .importCSV(request.body, intoGroup: group, store: store, now: clock.now())
        } catch ContactImportError.csv(let error) {
            var apiError = APIError(.invalidCSV, error.description)
            apiError.line = error.line
            throw apiError
        }
        return JSONResponse.make(status: 200, report)
    }
}

extension CSVError {
    /// The line the error names, when it names one.
    var line: Int? {
        switch self {
        case .unterminatedQuote(let line), .textAfterClosingQuote(let line), .invalidUTF8(let line): line
        case .empty, .missingNumberColumn, .duplicateColumn: nil
        }
    }
}
