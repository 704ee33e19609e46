import Foundation
import Testing

@testable import Gateway
@testable import Store

@Suite struct ContactSheetTests {
    /// Rows are validated one by one: invalid numbers, duplicates after normalisation, wrong field
    /// counts and missing numbers are rejected with their line and reason. The rest are kept, with
    /// every other column as a variable and empty values left out.
    @Test func validatesEachRow() throws {
        let csv = """
            Phone,Name,Seat,Team Colour
            07700 900001,Ann,A1,red
            +44 7700 900002,Bob,,blue
            not-a-number,Cy,C3,red
            +447700900001,Ann again,A9,red
            ,Nobody,X,red
            +447700900004,Too,Many,Fields,Here

            +447700900005,"Lee, Eve",E5,""
            """
        let sheet = try ContactSheet(csv: Array(csv.utf8), defaultRegion: "GB")
        #expect(sheet.variableColumns == ["seat", "team_colour"])
        #expect(sheet.rows.map(\.line) == [2, 3, 9])
        #expect(sheet.rows[0].contact == ContactImport(number: "+447700900001", name: "Ann", variables: ["seat": "A1", "team_colour": "red"]))
        #expect(sheet.rows[1].contact.variables == ["team_colour": "blue"])
        #expect(sheet.rows[2].contact.name == "Lee, Eve")

        #expect(sheet.rejections.map(\.line) == [4, 5, 6, 7])
        #expect(sheet.rejections[0].reason.contains("not-a-number"))
        #expect(sheet.rejections[1].reason.contains("line 2"))
        #expect(sheet.rejections[2].reason == "no number")
        #expect(sheet.rejections[3].reason.contains("5 fields"))
    }

    /// Headers become variable names in lower case with other characters joined by one `_`.
    @Test(arguments: [
        ("Seat", "seat"), ("First Name", "first_name"), (" Exit-Door (B) ", "exit_door_b"), ("row_2", "row_2"),
    ])
    func variableNames(header: String, expected: String) {
        #expect(ContactSheet.variableName(forHeader: header) == expected)
    }

    /// A file without a number column, or with two columns of the same name, is rejected as a whole.
    @Test(arguments: [
        ("name,seat\nAnn,A1\n", CSVError.missingNumberColumn(header: ["name", "seat"])),
        ("number,Seat,seat\n+447700900001,1,2\n", .duplicateColumn("seat")),
        ("\n\n", .empty),
    ])
    func rejectedFiles(text: String, expected: CSVError) {
        #expect(throws: expected) { try ContactSheet(csv: Array(text.utf8), defaultRegion: nil) }
    }

    /// An import stores the valid rows in one transaction and reports imported, updated and
    /// rejected rows. A second import of the same file updates every row.
    @Test func importReport() async throws {
        try await withGatewayStore { store in
            let csv = "number;name;seat\n+447700900001;Ann;A1\n+447700900002;Bob;B2\nbad;Cy;C3\n"
            let importer = ContactImporter(defaultRegion: nil)
            let first = try await importer.importCSV(Array(csv.utf8), intoGroup: "attendees", store: store, now: Date())
            #expect(first.delimiter == ";")
            #expect(first.imported.map(\.line) == [2, 3])
            #expect(first.updated.isEmpty)
            #expect(first.rejected.map(\.line) == [4])

            let second = try await importer.importCSV(Array(csv.utf8), intoGroup: "attendees", store: store, now: Date())
            #expect(second.imported.isEmpty)
            #expect(second.updated.map(\.number) == ["+447700900001", "+447700900002"])
            #expect(try await store.contactGroups().map(\.memberCount) == [2])
        }
    }

    /// A 100,000-row file with names and a variable column is read, checked and imported.
    @Test func hundredThousandRows() async throws {
        var csv = "\u{FEFF}number,name,seat\r\n"
        csv.reserveCapacity(4_000_000)
        for index in 0..<100_000 {
            csv += "+4477009\(String(format: "%05d", index)),Person \(index),\"R\(index % 40), S\(index % 30)\"\r\n"
        }
        try await withGatewayStore { store in
            let report = try await ContactImporter(defaultRegion: nil)
                .importCSV(Array(csv.utf8), intoGroup: "everyone", store: store, now: Date())
            #expect(report.imported.count == 100_000)
            #expect(report.rejected.isEmpty)
            let contacts = try #require(try await store.contacts(inGroup: "everyone"))
            #expect(contacts.count == 100_000)
            #expect(contacts[99_999].variables == ["seat": "R39, S9"])
        }
    }

    /// A file on disk is read off the cooperative pool and imported like bytes in memory.
    @Test func importsFileFromDisk() async throws {
        try await withGatewayStore { store in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("contacts-\(UUID().uuidString).csv").path
            try Data("mobile,name\r\n+447700900001,Ann\r\n".utf8).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }

            let report = try await ContactImporter(defaultRegion: nil)
                .importFile(atPath: path, intoGroup: " staff ", store: store, now: Date())
            #expect(report.group == "staff")
            #expect(report.imported.map(\.number) == ["+447700900001"])
            let names = try await store.contacts(inGroup: "staff")?.map(\.name)
            #expect(names == ["Ann"])
        }
    }

    /// A file that cannot be read is an error naming the path.
    @Test func unreadableFile() async throws {
        try await withGatewayStore { store in
            let path = "/nonexistent/contacts.csv"
            let error = await #expect(throws: ContactImportError.self) {
                try await ContactImporter(defaultRegion: nil).importFile(atPath: path, intoGroup: "g", store: store, now: Date())
            }
            #expect(error?.description.contains(path) == true)
        }
    }
}

/// Opens a store on a fresh temporary file, closes it and removes the directory after `body`.
func withGatewayStore<Result>(_ body: (SQLiteStore) async throws -> Result) async throws -> Result {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-contacts-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try await SQLiteStore(path: directory.appendingPathComponent("queue.sqlite").path, notifiesWakeListener: false)
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}
