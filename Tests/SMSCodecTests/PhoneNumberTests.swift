import Foundation
import Testing

@testable import SMSCodec

/// E.164 normalisation of admin and CSV input, and the errors that name the fix.
@Suite struct PhoneNumberTests {
    /// Formats from many regions normalise to E.164, with Italy keeping its leading 0.
    @Test(
        arguments: [
            ("+49 030 123456", nil, "+4930123456"),
            ("+33 06 39 98 12 34", nil, "+33639981234"),
            ("+39 06 1234 5678", nil, "+390612345678"),
            ("00 41 44 668 18 00", "DE", "+41446681800"),
            ("(0)20 7946 0000", "GB", "+442079460000"),
            ("1-202-555-0143", "US", "+12025550143"),
            ("202.555.0143", "us", "+12025550143"),
            ("416-555-0100", "CA", "+14165550100"),
            ("0044 7700 900123", nil, "+447700900123"),
            ("0412 345 678", "AU", "+61412345678"),
            ("0011 44 7700 900123", "AU", "+447700900123"),
            ("090-1234-5678", "JP", "+819012345678"),
            ("010 44 7700 900123", "JP", "+447700900123"),
            ("098765 43210", "IN", "+919876543210"),
            ("(11) 91234-5678", "BR", "+5511912345678"),
            ("082 123 4567", "ZA", "+27821234567"),
            ("021 123 4567", "NZ", "+64211234567"),
            ("087 123 4567", "IE", "+353871234567"),
            ("912 345 678", "PT", "+351912345678"),
            ("512 345 678", "PL", "+48512345678"),
            ("20 12 34 56", "DK", "+4520123456"),
            ("412 34 567", "NO", "+4741234567"),
            ("070-123 45 67", "SE", "+46701234567"),
            ("0664 1234567", "AT", "+436641234567"),
            ("078 123 45 67", "CH", "+41781234567"),
            ("0470 12 34 56", "BE", "+32470123456"),
            ("06 12345678", "NL", "+31612345678"),
            ("612 34 56 78", "ES", "+34612345678"),
            ("55 1234 5678", "MX", "+525512345678"),
            ("3123456789", "IT", "+393123456789"),
            ("+7 912 345 67 89", nil, "+79123456789"),
            ("+225 07 12 34 56 78", nil, "+2250712345678"),
            ("030/123456", "DE", "+4930123456"),
        ] as [(String, String?, String)]
    )
    func normalises(raw: String, region: String?, e164: String) throws {
        #expect(try PhoneNumber.normalise(raw, defaultRegionCode: region).e164 == e164)
    }

    /// Bad input throws an error that carries the value.
    @Test(
        arguments: [
            ("07700 900123", nil, PhoneNumberError.missingCountryContext(raw: "07700 900123")),
            ("", "GB", .empty(raw: "")),
            ("( - )", nil, .empty(raw: "( - )")),
            ("+1 202 555 0143 x12", nil, .invalidCharacter("x", raw: "+1 202 555 0143 x12")),
            ("+44 7\u{301}700 900123", nil, .invalidCharacter("7\u{301}", raw: "+44 7\u{301}700 900123")),
            ("+44 ٧٧٠٠ 900123", nil, .invalidCharacter("٧", raw: "+44 ٧٧٠٠ 900123")),
            ("44+7700900123", nil, .misplacedPlus(raw: "44+7700900123")),
            ("+0044 7700 900123", nil, .unknownCountryCode(raw: "+0044 7700 900123")),
            ("+999 1234 5678 9012 3", nil, .tooLong(digits: 16, raw: "+999 1234 5678 9012 3")),
            ("+999 123", nil, .tooShort(digits: 3, raw: "+999 123")),
            ("202 555 014", "US", .invalidLength(digits: 9, expected: 10...10, region: .US, raw: "202 555 014")),
            (
                "+44 7700 9001234", nil,
                .invalidLength(digits: 11, expected: 9...10, region: .GB, raw: "+44 7700 9001234")
            ),
            ("07700 900123", "XX", .unknownRegion(code: "XX")),
        ] as [(String, String?, PhoneNumberError)]
    )
    func rejects(raw: String, region: String?, error: PhoneNumberError) {
        #expect(throws: error) { try PhoneNumber.normalise(raw, defaultRegionCode: region) }
    }

    /// Error messages name the value and what to change.
    @Test func errorMessagesNameTheFix() {
        #expect(PhoneNumberError.missingCountryContext(raw: "0770").description.contains("set default_region"))
        #expect(PhoneNumberError.invalidCharacter("x", raw: "1x").description.contains("\"1x\""))
        #expect(PhoneNumberError.unknownRegion(code: "XX").description.contains("GB"))
    }

    /// A number encodes as its E.164 string, and decoding validates the string.
    @Test func codesAsE164String() throws {
        let number = try PhoneNumber(e164: "+447700900123")
        let json = try JSONEncoder().encode([number])
        #expect(String(decoding: json, as: UTF8.self) == "[\"+447700900123\"]")
        #expect(try JSONDecoder().decode([PhoneNumber].self, from: json) == [number])
        #expect(throws: PhoneNumberError.self) {
            try JSONDecoder().decode([PhoneNumber].self, from: Data("[\"07700 900123\"]".utf8))
        }
    }

    /// Every supported region has a distinct code and a length range within E.164.
    @Test func regionTableIsConsistent() {
        for region in Region.allCases {
            #expect(Region(code: region.rawValue.lowercased()) == region)
            #expect(String(region.countryCallingCode).count + region.nationalNumberLengths.upperBound <= 15)
        }
        #expect(Region(code: "uk") == .GB)
        #expect(Region.regions(forCountryCode: 1) == [.US, .CA])
    }
}
