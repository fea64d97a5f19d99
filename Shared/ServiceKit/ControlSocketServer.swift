import BlockingCalls
import CDraizerShim
import DraizerCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A service's Unix control socket: one JSON (or plain) command per line in, one line out.
/// `draizer` and api-gateway use it for `status`, `reload`, `shutdown`, … Blocking POSIX calls
/// on threads of its own: one accepts, and each client (up to `maxClients` at once) is served on
/// its own thread, so a client that keeps its connection open or goes silent never locks the
/// others out. The handler may therefore run on several threads at once and must hop to the
/// service's own executor (or take a lock) for anything it touches.
///
/// A client cannot harm the service: one that hangs up before its answers are written costs a
/// failed send, not a SIGPIPE; a line over `maxLineBytes` is refused and the connection closed;
/// a client silent for `idleTimeoutSeconds`, or not reading its answers for
/// `sendTimeoutSeconds`, is disconnected.
public final class ControlSocketServer: @unchecked Sendable {
    // @unchecked Sendable: `descriptor` and `path` are set once in init; the accept thread is the
    // only reader of the listening socket; `stop` only closes the descriptor; `clients` is atomic.

    public static let maxClients = 8
    public static let maxLineBytes = 65_536
    public static let idleTimeoutSeconds = 30
    public static let sendTimeoutSeconds = 5

    public let path: String
    let descriptor: Int32
    private let handler: @Sendable (String) -> String
    /// Clients being served now.
    private let clients = Atomic<Int>(0)

    /// Binds `path` (mode 0600; a stale socket file is replaced) and starts accepting. Refuses a
    /// path that is not a socket, or whose socket a running service still answers on (see
    /// `checkPath`).
    public init(path: String, handler: @escaping @Sendable (String) -> String) throws(ControlSocketError) {
        self.path = path
        self.handler = handler
        var address = try Self.address(path)
        if try Self.checkPath(path) { unlink(path) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
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

    /// Where a service listens unless told otherwise: `/tmp/<shm prefix>-<service>.sock`
    /// (`detector`, `gateway-binance`, …), so tools find it from the prefix alone.
    public static func defaultPath(prefix: String, service: String) -> String {
        "/tmp/\(prefix)-\(service).sock"
    }

    /// Whether `path` can take a new control socket, checked before a service makes anything
    /// else: its folder exists, and the path is free (false) or a stale socket to replace (true).
    /// A regular file (an operator's typo) is never deleted, and a socket a running service
    /// answers on is never taken over.
    @discardableResult
    public static func checkPath(_ path: String) throws(ControlSocketError) -> Bool {
        _ = try address(path)
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = errno
            guard code == ENOENT else { throw .system("stat \(path)", code) }
            let slash = path.lastIndex(of: "/")
            let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            var folderInfo = stat()
            guard stat(folder, &folderInfo) == 0, folderInfo.st_mode & S_IFMT == S_IFDIR, access(folder, W_OK | X_OK) == 0 else {
                throw .unusable(path, "a writable folder \(folder), was missing or not writable")
            }
            return false
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .unusable(path, "a socket or nothing, was another kind of file") }
        if let fd = try? connect(path: path, receiveTimeoutMillis: 100) {
            close(fd)
            throw .unusable(path, "a stale socket, was one a running service answers on")
        }
        return true
    }

    public func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
        unlink(path)
    }

    private func acceptLoop() {
        var failing = false
        while true {
            // Close-on-exec, as every descriptor here: a handler or another thread that starts a
            // process must not hand it the service's sockets.
            let client = drz_accept_cloexec(descriptor)
            if client < 0 {
                let code = -client
                if code == EINTR || code == ECONNABORTED { continue }
                if code == EBADF || code == EINVAL { return }  // closed by stop()
                // Out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM): the connection
                // waits in the backlog; try again shortly. Returning here ended the control socket
                // for the rest of the service's life.
                if !failing {
                    failing = true
                    writeErrorLine("control socket \(path): accept failed (\(String(cString: strerror(code)))); retrying every 100 ms")
                }
                usleep(100_000)
                continue
            }
            if failing {
                failing = false
                writeErrorLine("control socket \(path): accepting again")
            }
            guard clients.add(1, ordering: .relaxed).newValue <= Self.maxClients else {
                clients.subtract(1, ordering: .relaxed)
                Self.send(#"{"ok":false,"error":"busy: \#(Self.maxClients) control clients connected"}"# + "\n", to: client)
                close(client)
                continue
            }
            Self.setTimeout(client, SO_RCVTIMEO, millis: Self.idleTimeoutSeconds * 1000)
            Self.setTimeout(client, SO_SNDTIMEO, millis: Self.sendTimeoutSeconds * 1000)
            let started = DetachedThread.start { [self] in
                serve(client)
                close(client)
                clients.subtract(1, ordering: .relaxed)
            }
            if !started {
                clients.subtract(1, ordering: .relaxed)
                close(client)
            }
        }
    }

    private func serve(_ client: Int32) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return }  // closed, or silent past the idle timeout
            pending += chunk[0..<count]
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                guard Self.send(handler(line) + "\n", to: client) else { return }
            }
            if pending.count > Self.maxLineBytes {
                Self.send(#"{"ok":false,"error":"command line over \#(Self.maxLineBytes) bytes"}"# + "\n", to: client)
                return
            }
        }
    }

    /// Writes all of `text`; false when the peer is gone or stopped reading. Never raises SIGPIPE.
    @discardableResult
    public static func send(_ text: String, to socket: Int32) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = Glibc.send(socket, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0, errno == EINTR { continue }
                guard sent > 0 else { return false }
                offset += sent
            }
            return true
        }
    }

    static func setTimeout(_ socket: Int32, _ option: Int32, millis: Int) {
        var timeout = timeval(tv_sec: millis / 1000, tv_usec: (millis % 1000) * 1000)
        setsockopt(socket, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The socket address of `path`.
    static func address(_ path: String) throws(ControlSocketError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw .pathTooLong(path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            _ = path.withCString { strncpy(raw.baseAddress!.assumingMemoryBound(to: CChar.self), $0, capacity - 1) }
        }
        return address
    }

    /// A connected client socket to the service at `path` (the caller closes it); reads on it give
    /// up after `receiveTimeoutMillis`.
    public static func connect(path: String, receiveTimeoutMillis: Int) throws(ControlSocketError) -> Int32 {
        var address = try address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        setTimeout(fd, SO_RCVTIMEO, millis: receiveTimeoutMillis)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw .system("connect \(path)", code)
        }
        return fd
    }

    /// Sends one command to a service's control socket and returns its one-line answer.
    public static func request(path: String, command: String, timeoutMillis: Int = 5000) throws(ControlSocketError) -> String {
        let fd = try connect(path: path, receiveTimeoutMillis: timeoutMillis)
        defer { close(fd) }
        // A service that refuses the connection (too many clients) answers and hangs up before
        // the command is sent: its answer is still read.
        let sent = send(command + "\n", to: fd)
        let sendError = errno
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !answer.contains(0x0A) {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            answer += chunk[0..<count]
        }
        guard let newline = answer.firstIndex(of: 0x0A) else {
            if !sent { throw .system("send to \(path)", sendError) }
            throw .noAnswer(path)
        }
        return String(decoding: answer[..<newline], as: UTF8.self)
    }
}

public enum ControlSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    case pathTooLong(String)
    case system(String, Int32)
    case noAnswer(String)
    case unusable(String, String)

    public var description: String {
        switch self {
        case .pathTooLong(let path): "control socket \(path): expected a path under 108 bytes, was longer"
        case .system(let operation, let code): "control socket: \(operation) failed: \(String(cString: strerror(code)))"
        case .noAnswer(let path): "control socket \(path): expected an answer, was none"
        case .unusable(let path, let expected): "control socket \(path): expected \(expected)"
        }
    }
}

