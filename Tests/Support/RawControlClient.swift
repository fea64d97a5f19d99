import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// A control-socket client that does only what a test tells it: connect, send bytes, read, hang
/// up — how a misbehaving operator tool or dashboard looks to a service.
public final class RawControlClient {
    public let descriptor: Int32

    /// Connects to the Unix socket at `path`; nil when nothing listens there.
    public init?(path: String, receiveTimeoutSeconds: Int = 5) {
        guard let fd = try? ControlSocketServer.connect(path: path, receiveTimeoutMillis: receiveTimeoutSeconds * 1000) else { return nil }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Sends `text` as far as the socket takes it (no SIGPIPE if the service is gone).
    public func send(_ text: String) {
        ControlSocketServer.send(text, to: descriptor)
    }

    /// Everything the service sends until it closes the connection (or the receive timeout).
    public func readToEnd() -> String {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            received += chunk[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Sends `command` `times` times in one go and hangs up without reading an answer.
    public static func hangUp(path: String, after command: String, times: Int) {
        guard let client = RawControlClient(path: path) else { return }
        client.send(String(repeating: command + "\n", count: times))
        shutdown(client.descriptor, Int32(SHUT_RDWR))
    }
}
