#if canImport(Glibc)
import Glibc
#endif

/// A control-socket client that does only what a test tells it: connect, send bytes, read, hang
/// up — how a misbehaving operator tool or dashboard looks to a service.
public final class RawControlClient {
    public let descriptor: Int32

    /// Connects to the Unix socket at `path`; nil when nothing listens there.
    public init?(path: String, receiveTimeoutSeconds: Int = 5) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            _ = path.withCString { strncpy(raw.baseAddress!.assumingMemoryBound(to: CChar.self), $0, raw.count - 1) }
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Sends `text` as far as the socket takes it (no SIGPIPE if the service is gone).
    public func send(_ text: String) {
        var text = text
        text.withUTF8 { buffer in _ = Glibc.send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
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
