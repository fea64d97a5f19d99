#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe writes: write a temporary file beside the target, fsync it,
/// rename it over the target, fsync the directory. A reader sees the old file or the new one.
public enum AtomicFile {
    public struct IOError: Error, CustomStringConvertible {
        public let operation: String
        public let path: String
        public let errno: Int32
        public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
    }

    /// Larger files are refused: every file read whole here is a configuration, a universe, a
    /// recorded corpus or a snapshot, and a device or pipe named by mistake (`/dev/zero`) must
    /// end in an error, not in memory exhaustion.
    public static let maxReadBytes = 1 << 30

    public static func read(path: String, maxBytes: Int = maxReadBytes) throws(IOError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            guard bytes.count + n <= maxBytes else { throw IOError(operation: "read (at most \(maxBytes) bytes)", path: path, errno: EFBIG) }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(IOError) {
        let temporary = "\(path).tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw IOError(operation: "create", path: temporary, errno: errno) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                unlink(temporary)
                throw IOError(operation: "write", path: temporary, errno: code)
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            unlink(temporary)
            throw IOError(operation: "fsync", path: temporary, errno: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw IOError(operation: "rename", path: path, errno: code)
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let dirfd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }
}
