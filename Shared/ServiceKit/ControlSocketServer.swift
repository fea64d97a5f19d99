import BlockingCalls
#if canImport(Glibc)
import Glibc
#endif

/// A service's Unix control socket: one JSON (or plain) command per line in, one line out.
/// `draizer` and api-gateway use it for `status`, `reload`, `shutdown`, … Runs on its own
/// thread with blocking POSIX calls; the handler is called on that thread and must hop to the
/// service's own executor for anything it touches.
public final class ControlSocketServer: @unchecked Sendable {
    // @unchecked Sendable: `descriptor` and `path` are set once in init; the accept thread is the
    // only reader of the socket; `stop` only closes the descriptor.

    public let path: String
    private let descriptor: Int32
    private let handler: @Sendable (String) -> String

    /// Binds `path` (mode 0600; a stale socket file is replaced) and starts accepting.
    public init(path: String, handler: @escaping @Sendable (String) -> String) throws(ControlSocketError) {
        self.path = path
        self.handler = handler
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw .pathTooLong(path) }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            _ = path.withCString { strncpy(raw.baseAddress!.assumingMemoryBound(to: CChar.self), $0, capacity - 1) }
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw .system("bind \(path)", code)
        }
        chmod(path, 0o600)
        guard listen(fd, 16) == 0 else {
            let code = errno
            close(fd)
            throw .system("listen", code)
        }
        descriptor = fd
        guard DetachedThread.start({ [self] in acceptLoop() }) else {
            close(fd)
            throw .system("pthread_create", EAGAIN)
        }
    }

    public func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
        unlink(path)
    }

    private func acceptLoop() {
        while true {
            let client = accept(descriptor, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return  // closed by stop()
            }
            serve(client)
            close(client)
        }
    }

    private func serve(_ client: Int32) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            pending += chunk[0..<count]
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                var answer = handler(line) + "\n"
                answer.withUTF8 { buffer in _ = write(client, buffer.baseAddress, buffer.count) }
            }
        }
    }

    /// Sends one command to a service's control socket and returns its one-line answer.
    public static func request(path: String, command: String, timeoutMillis: Int = 5000) throws(ControlSocketError) -> String {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw .pathTooLong(path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            _ = path.withCString { strncpy(raw.baseAddress!.assumingMemoryBound(to: CChar.self), $0, capacity - 1) }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutMillis / 1000, tv_usec: (timeoutMillis % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw .system("connect \(path)", errno) }
        var line = command + "\n"
        line.withUTF8 { buffer in _ = write(fd, buffer.baseAddress, buffer.count) }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !answer.contains(0x0A) {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            answer += chunk[0..<count]
        }
        guard let newline = answer.firstIndex(of: 0x0A) else { throw .noAnswer(path) }
        return String(decoding: answer[..<newline], as: UTF8.self)
    }
}

public enum ControlSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    case pathTooLong(String)
    case system(String, Int32)
    case noAnswer(String)

    public var description: String {
        switch self {
        case .pathTooLong(let path): "control socket \(path): expected a path under 108 bytes, was longer"
        case .system(let operation, let code): "control socket: \(operation) failed: \(String(cString: strerror(code)))"
        case .noAnswer(let path): "control socket \(path): expected an answer, was none"
        }
    }
}

