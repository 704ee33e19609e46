import Config
import Foundation

/// `lifeline config check FILE`: validates a config file, loads the libraries its providers and
/// store need (libcurl, libpq, OpenSSL), and prints the effective config with every secret masked.
struct ConfigCheckCommand: Subcommand {
    let path: String

    init(arguments: inout CommandLineArguments) throws(UsageError) {
        guard arguments.nextWord() == "check" else {
            throw UsageError("expected 'lifeline config check FILE'")
        }
        let optionPath = try arguments.option("config")
        guard let path = arguments.nextWord() ?? optionPath else {
            throw UsageError("config check needs the file to check: lifeline config check /etc/lifeline/lifeline.yaml")
        }
        self.path = path
    }

    func run() async throws -> ExitCode {
        let config = try loadConfig(at: path)
        try RequiredLibraries(config: config).load()
        print("# \(path): valid. Effective configuration, secrets masked:")
        print(config.renderEffective(), terminator: "")
        return .success
    }
}
