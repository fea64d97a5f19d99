import Foundation
@testable import ServiceKit
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Descriptors a service opens are close-on-exec: a process it (or another of its threads) starts
/// inherits none of them. A child holding a captured pipe's write end keeps the reader from ever
/// seeing end of output; one holding a control socket keeps it alive after the service closed it.
@Suite struct DescriptorInheritanceTests {
    @Test func aStartedProcessInheritsNoControlSocketAndNoCapturedPipe() throws {
        let path = "/tmp/drz-inherit-\(getpid()).sock"
        let server = try ControlSocketServer(path: path) { _ in "ok" }
        defer { server.stop() }
        let client = try ControlSocketServer.connect(path: path, receiveTimeoutMillis: 2000)
        defer { close(client) }
        let captured = try ChildProcess(executable: "sleep", arguments: ["5"], output: .pipe)
        let output = try #require(captured.outputDescriptor)

        var ours: [String: String] = [:]
        for (name, descriptor) in [("listening socket", server.descriptor), ("client socket", client), ("captured pipe", output)] {
            ours[name] = try #require(InheritedDescriptors.target(descriptor), "no /proc entry for the \(name)")
        }

        let inherited = try #require(try InheritedDescriptors.ofAChild(), "the lister failed")
        #expect(inherited.contains { $0.hasPrefix("pipe:") }, "the lister's own stdout should be listed: \(inherited)")
        for (name, target) in ours.sorted(by: { $0.key < $1.key }) {
            #expect(!inherited.contains(target), "the \(name) (\(target)) leaked into a child: \(inherited.sorted())")
        }
        captured.terminate(graceMillis: 100)
    }
}
