/// One lexed command-line argument.
///
/// `--name=value` and `--name value` both become `.option`; which names take a value is decided
/// by the lexer's `valueOptions`, so `--json` never swallows the next word.
enum CommandLineToken: Equatable {
    case word(String)
    case option(name: String, value: String)
    case flag(String)
}

/// Splits argv into typed tokens before any command looks at them.
struct CommandLineLexer {
    /// Option names (without dashes) that take a value.
    let valueOptions: Set<String>

    func lex(_ arguments: [String]) throws(UsageError) -> [CommandLineToken] {
        var tokens: [CommandLineToken] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                tokens.append(.word(argument))
                continue
            }
            let body = argument.dropFirst(2)
            if let equals = body.firstIndex(of: "=") {
                tokens.append(.option(name: String(body[..<equals]), value: String(body[body.index(after: equals)...])))
                continue
            }
            let name = String(body)
            guard valueOptions.contains(name) else {
                tokens.append(.flag(name))
                continue
            }
            guard index < arguments.endIndex else {
                throw UsageError("option --\(name) needs a value")
            }
            tokens.append(.option(name: name, value: arguments[index]))
            index += 1
        }
        return tokens
    }
}

/// The lexed arguments of one command, consumed as the command reads them, so that anything
/// left over is reported as unexpected.
struct CommandLineArguments {
    private(set) var words: [String]
    private var options: [String: [String]]
    private var flags: Set<String>

    init(_ tokens: [CommandLineToken]) {
        words = []
        options = [:]
        flags = []
        for token in tokens {
            switch token {
            case .word(let word): words.append(word)
            case .option(let name, let value): options[name, default: []].append(value)
            case .flag(let name): flags.insert(name)
            }
        }
    }

    /// Removes and returns the next positional word.
    mutating func nextWord() -> String? {
        words.isEmpty ? nil : words.removeFirst()
    }

    /// Removes and returns the value of `--name`; repeating a single-valued option is a usage error.
    mutating func option(_ name: String) throws(UsageError) -> String? {
        guard let values = options.removeValue(forKey: name) else { return nil }
        guard values.count == 1 else { throw UsageError("option --\(name) is given \(values.count) times; give it once") }
        return values[0]
    }

    /// Removes and returns every value of a repeatable option such as `--var KEY=VALUE`.
    mutating func repeatedOption(_ name: String) -> [String] {
        options.removeValue(forKey: name) ?? []
    }

    /// Removes `--name` and returns whether it was present.
    mutating func flag(_ name: String) -> Bool {
        flags.remove(name) != nil
    }

    /// Throws when anything was not consumed by the command.
    func rejectLeftovers(command: String) throws(UsageError) {
        if let word = words.first {
            throw UsageError("unexpected argument '\(word)' for '\(command)'; see lifeline \(command) --help")
        }
        if let name = options.keys.sorted().first ?? flags.sorted().first {
            throw UsageError("unknown option --\(name) for '\(command)'; see lifeline \(command) --help")
        }
    }
}

/// A mistake in how the command was called. Printed with the usage hint; exit code 64.
struct UsageError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
