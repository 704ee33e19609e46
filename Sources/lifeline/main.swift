import Foundation

#if canImport(Glibc)
import Glibc

// glibc gives each thread that contends for the heap an arena of its own (up to eight per core)
// and keeps the freed pages of each. With two arenas the SMPP benchmark peaked about 1.5 MiB
// lower at the same rate. `mallopt` is declared in <malloc.h>, which the Glibc module does not
// import, so it is looked up by name. -8 is glibc's `M_ARENA_MAX`.
if let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "mallopt") {
    typealias MalloptFunction = @convention(c) (Int32, Int32) -> Int32
    _ = unsafeBitCast(symbol, to: MalloptFunction.self)(-8, 2)
}
#endif

let exitCode = await LifelineCommand.main(Array(CommandLine.arguments.dropFirst()))
exit(exitCode.rawValue)
