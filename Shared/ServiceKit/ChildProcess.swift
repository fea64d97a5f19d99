import CDraizerShim

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, with a clean signal mask and default signal
/// handlers (a parent's blocked signals must not make a child deaf to SIGTERM), reaped with
/// `waitpid`. Used by `draizer` to run helpers and by tests to run servers and probes.
///
/// A child still running when this object goes away is killed (SIGKILL) and reaped.
public final class ChildProcess {
    public enum Output {
        case inherit
        case discard
        /// Captured; read with `readLine(timeoutMillis:)` or `readAll()`.
        case pipe
    }

    public let pid: pid_t
    private var exitStatus: Int32?
    let outputDescriptor: Int32?
    private var pending: [UInt8] = []

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments`.
    public init(executable: String, arguments: [String], output: Output = .inherit) throws(ChildProcessError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeDescriptors: [Int32] = [-1, -1]
        switch output {
        case .inherit:
            break
        case .discard:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        case .pipe:
            // Close-on-exec: a child another thread spawns while this pipe is open must not keep its
            // write end, or this reader never sees end of output. The child's own stdout is the
            // dup2 below, which clears the flag.
            let piped = drz_pipe_cloexec(&pipeDescriptors)
            guard piped == 0 else { throw .spawnFailed(executable: executable, errno: -piped) }
            posix_spawn_file_actions_adddup2(&actions, pipeDescriptors[1], 1)
            posix_spawn_file_actions_addclose(&actions, pipeDescriptors[0])
            posix_spawn_file_actions_addclose(&actions, pipeDescriptors[1])
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var argvPointers: [UnsafeMutablePointer<CChar>?] = argv + [nil]
        var child: pid_t = 0
        let result = posix_spawnp(&child, executable, &actions, &attributes, &argvPointers, environ)
        if output == .pipe { close(pipeDescriptors[1]) }
        guard result == 0 else {
            if output == .pipe { close(pipeDescriptors[0]) }
            throw .spawnFailed(executable: executable, errno: result)
        }
        pid = child
        outputDescriptor = output == .pipe ? pipeDescriptors[0] : nil
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        if let outputDescriptor { close(outputDescriptor) }
    }

    public var isRunning: Bool {
        if exitStatus != nil { return false }
        return poll() == nil
    }

    public func signal(_ signal: Int32) {
        if exitStatus == nil { kill(pid, signal) }
    }

    /// The exit code (or 128 + signal number) if the child has ended, without waiting.
    @discardableResult
    public func poll() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        exitStatus = Self.decode(status)
        return exitStatus
    }

    /// Waits for the child to end; returns its exit code (or 128 + signal number).
    @discardableResult
    public func wait() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let decoded = Self.decode(status)
        exitStatus = decoded
        return decoded
    }

    /// SIGTERM, then SIGKILL if the child has not ended after `graceMillis`.
    @discardableResult
    public func terminate(graceMillis: Int = 5000) -> Int32 {
        signal(SIGTERM)
        let deadline = Self.nowMillis() + graceMillis
        while Self.nowMillis() < deadline {
            if let status = poll() { return status }
            usleep(5000)
        }
        signal(SIGKILL)
        return wait()
    }

    /// The next line the child printed (without the newline), or nil at end of output / timeout.
    public func readLine(timeoutMillis: Int) -> String? {
        guard let descriptor = outputDescriptor else { return nil }
        let deadline = Self.nowMillis() + timeoutMillis
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let remaining = deadline - Self.nowMillis()
            guard remaining > 0 else { return nil }
            var descriptorPoll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&descriptorPoll, 1, Int32(remaining)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                guard !pending.isEmpty else { return nil }
                let line = String(decoding: pending, as: UTF8.self)
                pending.removeAll()
                return line
            }
            pending.append(contentsOf: chunk[0..<count])
        }
    }

    /// Every remaining line of output, until the child closes it.
    public func readAll(timeoutMillis: Int = 60_000) -> [String] {
        var lines: [String] = []
        while let line = readLine(timeoutMillis: timeoutMillis) { lines.append(line) }
        return lines
    }

    /// Reads lines until one equals `expected`; false at end of output or timeout.
    public func waitForLine(_ expected: String, timeoutMillis: Int) -> Bool {
        let deadline = Self.nowMillis() + timeoutMillis
        while Self.nowMillis() < deadline {
            guard let line = readLine(timeoutMillis: max(deadline - Self.nowMillis(), 1)) else { return false }
            if line == expected { return true }
        }
        return false
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    private static func nowMillis() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }
}

public enum ChildProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    case spawnFailed(executable: String, errno: Int32)

    public var description: String {
        switch self {
        case .spawnFailed(let executable, let code):
            "process \(executable): expected it to start, was refused: \(String(cString: strerror(code)))"
        }
    }
}
