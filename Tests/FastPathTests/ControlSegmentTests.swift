import DraizerCore
@testable import FastPath
import Foundation
import Testing

@Suite struct ControlSegmentTests {
    @Test func killSwitchStrategiesAndHealth() throws {
        try withSegmentPrefix { prefix in
            let names = try SegmentNames(prefix: prefix)
            let writer = try ControlSegment.create(names: names)
            let reader = try ControlSegment.attach(names: names)
            #expect(!reader.isKillSwitchEngaged)
            #expect(reader.isStrategyEnabled(.triangular), "strategies start enabled")
            let generation = reader.generation

            writer.engageKillSwitch(reason: 7, wallNanos: 123)
            #expect(reader.isKillSwitchEngaged)
            #expect(reader.killReason == 7)
            #expect(reader.killedAtWallNanos == 123)
            writer.setStrategy(.fundingCarry, enabled: false)
            #expect(!reader.isStrategyEnabled(.fundingCarry))
            #expect(reader.isStrategyEnabled(.spotPerp))
            #expect(reader.generation == generation + 2)
            writer.releaseKillSwitch()
            #expect(!reader.isKillSwitchEngaged)

            let source = SourceId(exchange: .bybit, market: .perp)
            let health = writer.health(source)
            health.setState(.live)
            health.messageReceived(nowNanos: 10)
            health.messageReceived(nowNanos: 20)
            health.gapDetected()
            health.reconnected()
            health.resyncStarted()
            health.errorCounted()
            health.heartbeat(nowNanos: 30)
            let snapshot = reader.healthSnapshot(source)
            #expect(snapshot.state == .live)
            #expect(snapshot.messages == 2)
            #expect(snapshot.lastMessageNanos == 20)
            #expect(snapshot.gaps == 1 && snapshot.reconnects == 1 && snapshot.resyncs == 1 && snapshot.errors == 1)
            #expect(snapshot.heartbeatNanos == 30)
            #expect(reader.healthSnapshot(SourceId(exchange: .okx, market: .spot)).state == .down)
        }
    }
}

/// Two processes starting together: one creates a segment, the other attaches while the creator
/// is still sizing it or writing its header. The attach waits instead of calling it foreign.
@Suite struct SegmentCreationRaceTests {
    @Test func attachWaitsForACreatorThatIsStillWritingTheHeader() throws {
        let names = try SegmentNames(prefix: "race\(getpid())\(UInt16.random(in: 0...UInt16.max))")
        defer { for name in names.existing() { try? SharedMemorySegment.unlink(name: name) } }
        // Sized and zero-filled, no header yet: what an attacher sees mid-create.
        let raw = try SharedMemorySegment.create(name: names.control, size: ControlSegment.bytes)
        let writer = Thread {
            usleep(150_000)
            SegmentHeader.initialise(
                raw, kind: .control,
                geometry: [UInt64(ControlSegment.strategyCapacity), UInt64(SourceId.count), UInt64(ControlSegment.rowBytes)])
            SegmentHeader.markReady(raw)
        }
        let started = Date()
        writer.start()
        let control = try ControlSegment.attach(names: names)
        #expect(Date().timeIntervalSince(started) >= 0.1, "it waited for the header")
        #expect(control.healthSnapshot(SourceId(exchange: .binance, market: .spot)).messages == 0)
    }

    @Test func aForeignSegmentIsRefusedAtOnce() throws {
        let names = try SegmentNames(prefix: "frgn\(getpid())\(UInt16.random(in: 0...UInt16.max))")
        defer { for name in names.existing() { try? SharedMemorySegment.unlink(name: name) } }
        let raw = try SharedMemorySegment.create(name: names.control, size: ControlSegment.bytes)
        raw.base.storeBytes(of: UInt64(0x1234_5678), as: UInt64.self)  // not our magic
        let started = Date()
        #expect(throws: SharedMemoryError.foreign(name: names.control)) { try ControlSegment.attach(names: names) }
        #expect(Date().timeIntervalSince(started) < 0.5)
    }
}
