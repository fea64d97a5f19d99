import DraizerCore
import FastPath
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
