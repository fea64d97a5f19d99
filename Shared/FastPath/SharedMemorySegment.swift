#if canImport(Glibc)
import Glibc
#endif

/// One POSIX shared-memory object (`shm_open` + `mmap`), mapped read-write and shared.
///
/// This is the only type in FastPath that touches the mapping's lifetime. Structures built on it
/// (price store, rings, control block) hold the segment, so the mapping outlives every pointer
/// they hand out.
public final class SharedMemorySegment: @unchecked Sendable {
    // @unchecked Sendable: `base` and `size` are immutable after init; the memory behind them is
    // only accessed through the atomic protocols of the structures that own this segment, and the
    // mapping is released in deinit, after the last reference is gone.

    public let name: String
    public let base: UnsafeMutableRawPointer
    public let size: Int
    /// The object mapped (device, inode): what `name` led to when it was mapped.
    let identity: Identity

    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
    }

    private init(name: String, base: UnsafeMutableRawPointer, size: Int, identity: Identity) {
        self.name = name
        self.base = base
        self.size = size
        self.identity = identity
    }

    deinit {
        munmap(base, size)
    }

    /// Creates a new segment of `size` bytes, zero-filled, mode 0600. Fails when it exists.
    public static func create(name: String, size: Int) throws(SharedMemoryError) -> SharedMemorySegment {
        let fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST { throw .alreadyExists(name: name) }
            throw .system(operation: "shm_open", name: name, errno: code)
        }
        defer { close(fd) }
        // The umask could have narrowed the mode further; it can never widen it, but set it exactly.
        fchmod(fd, 0o600)
        guard ftruncate(fd, off_t(size)) == 0 else {
            let code = errno
            shm_unlink(name)
            throw .system(operation: "ftruncate", name: name, errno: code)
        }
        // Reserve every page now: /dev/shm is a tmpfs, and a page it cannot supply later is a
        // SIGBUS at the first write (MAP_POPULATE does not report it), not an error.
        let reserved = posix_fallocate(fd, 0, off_t(size))
        guard reserved == 0 else {
            shm_unlink(name)
            throw .system(operation: "posix_fallocate", name: name, errno: reserved)
        }
        do {
            return try map(name: name, fd: fd, size: size, populate: true)
        } catch {
            shm_unlink(name)
            throw error
        }
    }

    /// Maps an existing segment with its current size.
    public static func open(name: String) throws(SharedMemoryError) -> SharedMemorySegment {
        let fd = shm_open(name, O_RDWR | O_CLOEXEC, 0)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .missing(name: name) }
            throw .system(operation: "shm_open", name: name, errno: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .system(operation: "fstat", name: name, errno: errno)
        }
        let size = Int(info.st_size)
        guard size >= SegmentHeader.bytes else {
            throw .truncated(name: name, expectedBytes: SegmentHeader.bytes, actualBytes: size)
        }
        return try map(name: name, fd: fd, size: size, populate: false)
    }

    /// False once `name` no longer leads to the mapped object: removed (`draizer shm remove`), or
    /// given to a new segment that other processes now use. An error other than a missing name
    /// (out of descriptors, say) says nothing about it: true.
    public func isStillNamed() -> Bool {
        let fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { return errno != ENOENT }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return true }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)) == identity
    }

    /// Removes the name; processes that have it mapped keep their mapping.
    public static func unlink(name: String) throws(SharedMemoryError) {
        guard shm_unlink(name) == 0 else {
            let code = errno
            if code == ENOENT { throw .missing(name: name) }
            throw .system(operation: "shm_unlink", name: name, errno: code)
        }
    }

    /// Names of the existing segments whose name starts with `prefix` (read from /dev/shm).
    public static func existingNames(prefix: String) -> [String] {
        guard let directory = opendir("/dev/shm") else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let fileName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if fileName.hasPrefix(prefix) { names.append("/" + fileName) }
        }
        return names.sorted()
    }

    private static func map(name: String, fd: Int32, size: Int, populate: Bool) throws(SharedMemoryError)
        -> SharedMemorySegment
    {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .system(operation: "fstat", name: name, errno: errno)
        }
        let flags = MAP_SHARED | (populate ? MAP_POPULATE : 0)
        let address = mmap(nil, size, PROT_READ | PROT_WRITE, flags, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw .system(operation: "mmap", name: name, errno: errno)
        }
        // SAFETY: the mapping is page aligned and `size` bytes long; every word in it is accessed as
        // UInt64 or UInt32 through the atomic wrappers, so binding it to UInt64 once is sound, and
        // record bytes are copied with raw loads/stores which are valid on bound trivial memory.
        address.bindMemory(to: UInt64.self, capacity: size / 8)
        return SharedMemorySegment(
            name: name, base: address, size: size, identity: Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
    }
}

/// What can go wrong with a shared-memory segment. Each case names the segment.
public enum SharedMemoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(name: String)
    case alreadyExists(name: String)
    /// The segment does not start with Draizer's magic number: something else owns that name.
    case foreign(name: String)
    /// Built by a different version of the code (or with other capacities).
    case layoutMismatch(name: String, field: String, expected: UInt64, found: UInt64)
    /// A segment of another kind (e.g. a ring where a price store was expected).
    case wrongKind(name: String, expected: String, found: String)
    case truncated(name: String, expectedBytes: Int, actualBytes: Int)
    /// The creator died before it finished initialising the segment.
    case notInitialised(name: String)
    /// Another live process already holds the role (single producer / single consumer).
    case roleTaken(name: String, role: String, pid: Int32)
    case invalidName(name: String, reason: String)
    case invalidCapacity(name: String, reason: String)
    case system(operation: String, name: String, errno: Int32)

    public var description: String {
        switch self {
        case .missing(let name): "shared memory \(name): expected an existing segment, was missing (run `draizer shm create`?)"
        case .alreadyExists(let name): "shared memory \(name): expected no segment, was already present"
        case .foreign(let name): "shared memory \(name): expected a Draizer segment, was a foreign one (bad magic)"
        case .layoutMismatch(let name, let field, let expected, let found):
            "shared memory \(name): expected \(field) \(expected), was \(found) (built by another version? remove and recreate it)"
        case .wrongKind(let name, let expected, let found): "shared memory \(name): expected a \(expected) segment, was a \(found) segment"
        case .truncated(let name, let expected, let actual): "shared memory \(name): expected \(expected) bytes, was \(actual)"
        case .notInitialised(let name): "shared memory \(name): expected an initialised segment, was half-created (creator died?)"
        case .roleTaken(let name, let role, let pid): "shared memory \(name): expected no other \(role), was held by live pid \(pid)"
        case .invalidName(let name, let reason): "shared memory name \(name): \(reason)"
        case .invalidCapacity(let name, let reason): "shared memory \(name): \(reason)"
        case .system(let operation, let name, let code):
            "shared memory \(name): \(operation) failed: \(String(cString: strerror(code)))"
                + (code == ENOSPC ? " (/dev/shm is full: see df -h /dev/shm)" : "")
        }
    }
}
