import Foundation
import Store
import Testing

@testable import HTTPAPI

@Suite struct ContactsAPITests {
    static let csv = [("Content-Type", "text/csv")]

    /// A contact list whose rows 3 and 4 are bad: an invalid number and a repeat of row 2.
    static let list = """
        number,name,Room
        07700 900123,Ada,Hall B
        not a number,Bob,Hall A
        +447700900123,Ada again,Hall C
        +447700900125,,Hall D

        """

    /// Valid rows are stored and reported with their lines; each bad row is reported with its
    /// line and reason, as on the command line.
    @Test func importReportsEveryRow() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send(
            "POST",
            "/v1/contacts/import?group=attendees",
            token: APITestServer.adminToken,
            body: Array(Self.list.utf8),
            headers: Self.csv
        )

        #expect(response.status == 200)
        #expect(response.json["group"] as? String == "attendees")
        #expect(response.json["variable_columns"] as? [String] == ["room"])
        let imported = try #require(response.json["imported"] as? [[String: Any]])
        #expect(imported.map { $0["line"] as? Int } == [2, 5])
        #expect(imported.map { $0["number"] as? String } == ["+447700900123", "+447700900125"])
        let rejected = try #require(response.json["rejected"] as? [[String: Any]])
        #expect(rejected.map { $0["line"] as? Int } == [3, 4])
        #expect(rejected.first?["number"] as? String == "not a number")
        #expect((rejected.last?["reason"] as? String)?.contains("line 2") == true)
        let members = try #require(try await server.store.contacts(inGroup: "attendees"))
        #expect(members.map(\.number) == ["+447700900123", "+447700900125"])
        #expect(members.first?.variables == ["room": "Hall B"])
    }

    /// Importing a known number again updates the contact instead of adding one.
    @Test func repeatImportUpdates() async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }
        let body = Array("number,name\n+447700900123,Ada\n".utf8)

        _ = try await server.send(
            "POST",
            "/v1/contacts/import?group=staff",
            token: APITestServer.adminToken,
            body: body,
            headers: Self.csv
        )
        let second = try await server.send(
            "POST",
            "/v1/contacts/import?group=staff",
            token: APITestServer.adminToken,
            body: body,
            headers: Self.csv
        )

        #expect(second.status == 200)
        #expect((second.json["imported"] as? [Any])?.isEmpty == true)
        #expect((second.json["updated"] as? [[String: Any]])?.first?["line"] as? Int == 2)
    }

    /// Only an admin token may import: send and read tokens get 403, no token 401.
    @Test(arguments: [
        (APITestServer.sendToken as String?, 403, "forbidden"), (APITestServer.readToken, 403, "forbidden"),
        (nil, 401, "missing_token"),
    ])
    func importNeedsAdmin(token: String?, status: Int, code: String) async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send(
            "POST",
            "/v1/contacts/import?group=staff",
            token: token,
            body: Array("number\n+447700900123\n".utf8),
            headers: Self.csv
        )

        #expect(response.status == status)
        #expect(response.errorCode == code)
        #expect(try await server.store.contactGroups().isEmpty)
    }

    /// A file that is not a readable contact list is 422 `invalid_csv` with the line where the
    /// error has one, and nothing is stored.
    @Test(arguments: [
        ("number,name\n+447700900123,Ada\n+447700900124,\"Bob\n", 3 as Int?, "never closed"),
        ("name,room\nAda,B\n", nil, "no number column"),
        ("", nil, "the file is empty"),
    ])
    func unreadableFileRejected(body: String, line: Int?, words: String) async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send(
            "POST",
            "/v1/contacts/import?group=staff",
            token: APITestServer.adminToken,
            body: Array(body.utf8),
            headers: Self.csv
        )

        #expect(response.status == 422)
        #expect(response.errorCode == "invalid_csv")
        let error = try #require(response.json["error"] as? [String: Any])
        #expect(error["line"] as? Int == line)
        #expect((error["message"] as? String)?.contains(words) == true)
        #expect(try await server.store.contactGroups().isEmpty)
    }

    /// A missing or empty group and a body that is not CSV are rejected before anything is read.
    @Test(arguments: [
        ("/v1/contacts/import", "text/csv", 422, "missing_field"),
        ("/v1/contacts/import?group=%20", "text/csv", 422, "invalid_value"),
        ("/v1/contacts/import?group=staff", "application/json", 415, "unsupported_media_type"),
    ])
    func requestShapeChecked(path: String, contentType: String, status: Int, code: String) async throws {
        let server = try await APITestServer.start()
        defer { Task { await server.shutdown() } }

        let response = try await server.send(
            "POST",
            path,
            token: APITestServer.adminToken,
            body: Array("number\n+447700900123\n".utf8),
            headers: [("Content-Type", contentType)]
        )

        #expect(response.status == status)
        #expect(response.errorCode == code)
    }
}
