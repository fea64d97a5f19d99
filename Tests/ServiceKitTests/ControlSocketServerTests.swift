import ServiceKit
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The control socket against clients that misbehave: none of them may stop the service or lock
/// the other clients out.
@Suite struct ControlSocketServerTests {
    static func path(_ tag: String) -> String { "/tmp/drz-cst-\(tag)-\(getpid()).sock" }

    @Test func clientsThatHangUpOrStayQuietHarmNoOne() throws {
        let path = Self.path("hang")
        let served = Mutex(0)
        let server = try ControlSocketServer(path: path) { command in
            served.withLock { $0 += 1 }
            return #"{"length":\#(command.count)}"# + String(repeating: " ", count: 4096)
        }
        defer { server.stop() }

        // Hung up with two thousand answers still to write: the sends fail, nothing is raised (a
        // SIGPIPE would end this test process).
        RawControlClient.hangUp(path: path, after: "status", times: 2000)

        // Connected and silent, and one that sent half a line: the others are still answered.
        let silent = try #require(RawControlClient(path: path))
        let half = try #require(RawControlClient(path: path))
        half.send("stat")
        let answer = try ControlSocketServer.request(path: path, command: "status", timeoutMillis: 2000)
        #expect(answer.hasPrefix(#"{"length":6}"#))
        #expect(served.withLock { $0 } >= 1)
        withExtendedLifetime((silent, half)) {}
    }

    @Test func anEndlessLineIsRefusedAndTheConnectionClosed() throws {
        let path = Self.path("long")
        let server = try ControlSocketServer(path: path) { _ in #"{"ok":true}"# }
        defer { server.stop() }
        let client = try #require(RawControlClient(path: path))
        client.send(String(repeating: "x", count: ControlSocketServer.maxLineBytes + 5000))
        let reply = client.readToEnd()
        #expect(reply.contains(#""ok":false"#) && reply.contains("over \(ControlSocketServer.maxLineBytes) bytes"), "\(reply)")
        #expect(try ControlSocketServer.request(path: path, command: "status") == #"{"ok":true}"#)
    }

    @Test func clientsBeyondTheCapAreToldSo() throws {
        let path = Self.path("cap")
        let server = try ControlSocketServer(path: path) { _ in #"{"ok":true}"# }
        defer { server.stop() }
        // Accepted in order: the one after the cap is refused whatever the timing.
        var held = try (0..<ControlSocketServer.maxClients).map { _ in try #require(RawControlClient(path: path)) }
        #expect(try ControlSocketServer.request(path: path, command: "status").contains("busy"))
        // One hangs up: its thread sees the end and frees its place (asked until then, for up to
        // 5 s: the suite runs beside others that keep both CPUs busy).
        held.removeFirst()
        var answer = ""
        for _ in 0..<100 {
            answer = try ControlSocketServer.request(path: path, command: "status")
            if !answer.contains("busy") { break }
            usleep(50_000)
        }
        #expect(answer == #"{"ok":true}"#)
        withExtendedLifetime(held) {}
    }
}
