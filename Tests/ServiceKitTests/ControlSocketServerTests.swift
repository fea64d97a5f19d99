import Foundation
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

/// What a control socket's path may be: a service never deletes an operator's file and never
/// takes over another running service's socket, but replaces the socket a killed one left.
@Suite struct ControlSocketPathTests {
    @Test func aRegularFileIsRefusedAndKept() throws {
        let path = ControlSocketServerTests.path("file")
        #expect(FileManager.default.createFile(atPath: path, contents: Array("keep me".utf8).withUnsafeBytes { Data($0) }))
        defer { unlink(path) }
        #expect(throws: ControlSocketError.unusable(path, "a socket or nothing, was another kind of file")) {
            _ = try ControlSocketServer(path: path) { _ in "" }
        }
        #expect(FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } == "keep me")
    }

    @Test func aMissingFolderIsRefused() {
        #expect(throws: ControlSocketError.unusable("/nonexistent-drz/x.sock", "a writable folder /nonexistent-drz, was missing or not writable")) {
            try ControlSocketServer.checkPath("/nonexistent-drz/x.sock")
        }
    }

    @Test func aLiveSocketIsRefusedAndAStaleOneReplaced() throws {
        let path = ControlSocketServerTests.path("live")
        let first = try ControlSocketServer(path: path) { _ in "first" }
        #expect(throws: ControlSocketError.unusable(path, "a stale socket, was one a running service answers on")) {
            _ = try ControlSocketServer(path: path) { _ in "second" }
        }
        #expect(try ControlSocketServer.request(path: path, command: "x") == "first", "the running service keeps its socket")
        first.stop()

        // A socket file nobody listens on (its service was killed): replaced.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        #expect(bound == 0)
        #expect(try ControlSocketServer.checkPath(path), "a stale socket is to be replaced")
        let second = try ControlSocketServer(path: path) { _ in "second" }
        defer { second.stop() }
        #expect(try ControlSocketServer.request(path: path, command: "x") == "second")
    }
}
