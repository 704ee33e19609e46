import Config
import Foundation
import OptionalLibraries
import Store

/// A `lifeline` subcommand: parsed and validated from the lexed arguments, then run.
protocol Subcommand {
    /// Reads the command's options; throws a usage error for a missing or malformed one.
    init(arguments: inout CommandLineArguments) throws(UsageError)

    /// Does the work and returns the exit code. Errors thrown here become exit codes in
    /// `LifelineCommand.exitCode(for:)`.
    func run() async throws -> ExitCode
}

/// The `lifeline` command line: lexes argv, picks the subcommand, and turns errors into exit codes.
enum LifelineCommand {
    static let lexer = CommandLineLexer(valueOptions: [
        "config", "to", "text", "priority", "limit", "id", "group", "to-file", "template", "var", "idempotency-key",
        "port", "system-id", "password", "receipt-delay", "messages", "window", "smsc-port",
        "baud", "pin-file",
    ])

    static func main(_ argv: [String]) async -> ExitCode {
        do {
            var arguments = CommandLineArguments(try lexer.lex(argv))
            if arguments.flag("help") || arguments.words.first == "help" || arguments.words.isEmpty {
                print(HelpText.overview)
                return arguments.words.isEmpty && !argv.contains("--help") ? .usage : .success
            }
            let name = arguments.nextWord() ?? ""
            let command = try makeSubcommand(named: name, arguments: &arguments)
            try arguments.rejectLeftovers(command: name)
            return try await command.run()
        } catch {
            return report(error)
        }
    }

    private static func makeSubcommand(
        named name: String,
        arguments: inout CommandLineArguments
    ) throws(UsageError) -> any Subcommand {
        switch name {
        case "serve": return try ServeCommand(arguments: &arguments)
        case "send": return try SendCommand(arguments: &arguments)
        case "messages": return try MessagesCommand(arguments: &arguments)
        case "status": return try StatusCommand(arguments: &arguments)
        case "demo": return try DemoCommand(arguments: &arguments)
        case "config": return try ConfigCheckCommand(arguments: &arguments)
        case "sms": return try SMSToolCommand(arguments: &arguments)
        case "contacts": return try ContactsCommand(arguments: &arguments)
        case "broadcast": return try BroadcastCommand(arguments: &arguments)
        case "simulate": return try SimulateCommand(arguments: &arguments)
        case "bench": return try BenchCommand(arguments: &arguments)
        case "modem": return try ModemCommand(arguments: &arguments)
        default:
            throw UsageError("unknown command '\(name)'; run lifeline --help for the list")
        }
    }

    /// Prints an error once, on stderr, and maps it to its exit code.
    static func report(_ error: any Error) -> ExitCode {
        let code = exitCode(for: error)
        let prefix = code == .usage ? "lifeline: usage: " : "lifeline: "
        FileHandle.standardError.write(Data((prefix + "\(error)\n").utf8))
        return code
    }

    /// The one place where errors become exit codes.
    static func exitCode(for error: any Error) -> ExitCode {
        switch error {
        case is UsageError: .usage
        case let error as ConfigError where error.isMissingFile: .noInput
        case is ConfigError: .config
        case is InputError: .dataError
        case is StoreError: .unavailable
        case is OptionalLibraryError: .unavailable
        default: .software
        }
    }
}

/// An invalid value given by the user: a phone number, an empty text, a hex PDU.
struct InputError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension ConfigError {
    /// Whether the config file itself was not found, which maps to `EX_NOINPUT`.
    var isMissingFile: Bool {
        issues.count == 1 && issues[0].message.hasPrefix("config file not found")
    }
}

/// Where the config file is: `--config`, else `LIFELINE_CONFIG`, else the packaged default.
func resolveConfigPath(from arguments: inout CommandLineArguments) throws(UsageError) -> String {
    if let path = try arguments.option("config") { return path }
    return ProcessInfo.processInfo.environment["LIFELINE_CONFIG"] ?? "/etc/lifeline/lifeline.yaml"
}

/// Loads and validates the config file, printing its warnings on stderr.
func loadConfig(at path: String) throws -> LifelineConfig {
    let loaded = try LifelineConfig.load(path: path, environment: ProcessInfo.processInfo.environment)
    for warning in loaded.warnings {
        FileHandle.standardError.write(Data("lifeline: warning: \(warning)\n".utf8))
    }
    return loaded.config
}
