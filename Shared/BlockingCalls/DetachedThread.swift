#if canImport(Glibc)
import Glibc
#endif

/// Starts an OS thread that runs `body` once and ends (POSIX threads, so services that need no
/// Foundation do not load it: a gateway's resident memory is part of its budget).
public enum DetachedThread {
    /// Returns false when the system refused the thread.
    @discardableResult
    public static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        final class Box: @unchecked Sendable {
            // @unchecked Sendable: written before the thread starts, read once by it.
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { argument in
                let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
                box.body()
                return nil
            }, box)
        guard created == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return false
        }
        pthread_detach(thread)
        return true
    }
}
