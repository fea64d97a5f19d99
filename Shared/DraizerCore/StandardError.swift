#if canImport(Glibc)
import Glibc
#endif

/// Services' log lines: one line to stderr, written at once (no shared `FILE` buffer, so any
/// thread may call it).
public func writeErrorLine(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
}
