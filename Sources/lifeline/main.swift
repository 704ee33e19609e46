import Foundation

let exitCode = await LifelineCommand.main(Array(CommandLine.arguments.dropFirst()))
exit(exitCode.rawValue)
