import ServiceKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `venue-sim` started with settings it cannot use: refused with a message, never a wrong port.
@Suite struct VenueSimCommandTests {
    func exitStatus(_ arguments: [String]) throws -> Int32 {
        let child = try ChildProcess(executable: builtBinary("venue-sim"), arguments: arguments, output: .discard)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let status = child.poll() { return status }
            usleep(20_000)
        }
        child.terminate(graceMillis: 1000)
        return -1  // still running: it listened somewhere
    }

    @Test func unusablePortsAndHostsAreRefused() throws {
        // 70000 used to be taken modulo 65536 (listening on 4464 without a word).
        #expect(try exitStatus(["--port", "70000"]) == 64)
        #expect(try exitStatus(["--port=-1"]) == 64)
        let running = try VenueSimProcess()
        #expect(try exitStatus(["--port", String(running.port)]) == 1, "address in use")
        #expect(try exitStatus(["--host", "192.0.2.1", "--port", "0"]) == 1, "not this host's address")
        withExtendedLifetime(running) {}
    }
}

