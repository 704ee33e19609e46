import Testing

@testable import Gateway

@Suite struct TemplateTests {
    /// Variables are replaced, doubled braces become literal braces, names are trimmed.
    @Test(arguments: [
        ("Hello {name}", ["name": "Ann"], "Hello Ann"),
        ("{ name }, go to {exit}.", ["name": "Ann", "exit": "B"], "Ann, go to B."),
        ("Use {{code}} and }}", [:], "Use {code} and }"),
        ("{{{name}}}", ["name": "Ann"], "{Ann}"),
        ("no variables", [:], "no variables"),
        ("{a}{a}{b}", ["a": "1", "b": "2"], "112"),
        ("Grüße {name} ✓", ["name": "Zoë"], "Grüße Zoë ✓"),
    ])
    func renders(source: String, variables: [String: String], expected: String) throws {
        let template = try MessageTemplate(source)
        #expect(try template.render(variables, recipient: "+447700900001") == expected)
    }

    /// A parse error names the problem and the 1-based character where it is.
    @Test(arguments: [
        ("Hello {name", TemplateParseError.unclosedBrace(position: 7)),
        ("Hi {} there", .emptyName(position: 4)),
        ("Hi {  } there", .emptyName(position: 4)),
        ("Hi {na{me}", .braceInName(position: 7)),
        ("Hi name}", .unmatchedClosingBrace(position: 8)),
        ("{{ {", .unclosedBrace(position: 4)),
    ])
    func parseErrors(source: String, expected: TemplateParseError) {
        #expect(throws: expected) { try MessageTemplate(source) }
    }

    /// A missing variable is an error naming the variable and the recipient, never a text with a
    /// placeholder left in it. An empty value counts as missing.
    @Test func missingVariableNamesVariableAndRecipient() throws {
        let template = try MessageTemplate("Hello {name}, seat {seat}, exit {exit}")
        let error = #expect(throws: TemplateRenderError.self) {
            try template.render(["name": "Ann", "exit": ""], recipient: "Ann (+447700900001)")
        }
        #expect(error == .missingVariables(["seat", "exit"], recipient: "Ann (+447700900001)"))
        let text = error?.description ?? ""
        #expect(text.contains("{seat}"))
        #expect(text.contains("{exit}"))
        #expect(text.contains("Ann (+447700900001)"))
    }

    /// The variable list has each name once, in order of first use.
    @Test func variableNames() throws {
        #expect(try MessageTemplate("{b} {a} {b} {{c}}").variableNames == ["b", "a"])
    }

    /// A literal template keeps braces as text.
    @Test func literalKeepsBraces() throws {
        #expect(try MessageTemplate(literal: "Hi {name}").render([:], recipient: "x") == "Hi {name}")
    }
}
