// fastpath-probe: the other process in the multi-process shared-memory tests.
//
//   fastpath-probe prices-writer PREFIX ENTRIES     write self-checking books to entries
//                                                   0..<ENTRIES round-robin until killed
//   fastpath-probe ring-producer RING COUNT         push ProbeRecords 0..<COUNT, waiting when full
//   fastpath-probe attach-prices PREFIX             attach and print the outcome
//
// Prints "ready" once attached, so the test knows the other side is running.
#if canImport(Glibc)
import Glibc
#endif
import DraizerCore
import FastPath

/// Unbuffered line output (stdout is a pipe, so `print` would be block-buffered).
func emit(_ line: String, to descriptor: Int32 = 1) {
    var text = line + "\n"
    text.withUTF8 { buffer in _ = write(descriptor, buffer.baseAddress, buffer.count) }
}

func fail(_ message: String) -> Never {
    emit("fastpath-probe: \(message)", to: 2)
    exit(2)
}

func ready() { emit("ready") }

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { fail("usage: fastpath-probe MODE ARGS") }

switch arguments[1] {
case "prices-writer":
    guard arguments.count == 4, let entries = Int(arguments[3]), entries > 0 else { fail("prices-writer PREFIX ENTRIES") }
    do {
        let store = try PriceStore.attach(names: SegmentNames(prefix: arguments[2]))
        guard entries <= store.slotCount else { fail("more entries than slots") }
        ready()
        var write: Int64 = 1
        while true {
            for slot in 0..<entries {
                let book = ProbePayload.book(write: write)
                store.publish(slot: slot, book: book)
            }
            write &+= 1
        }
    } catch {
        fail("\(error)")
    }

case "ring-producer":
    guard arguments.count == 4, let count = UInt64(arguments[3]) else { fail("ring-producer RING COUNT") }
    do {
        let producer = try RingProducer<ProbeRecord>(name: arguments[2])
        ready()
        var sequence: UInt64 = 0
        while sequence < count {
            if producer.tryPush(ProbeRecord(sequence: sequence, sentNanos: MonotonicClock.now())) {
                producer.doorbell.ring()
                sequence += 1
            } else {
                sched_yield()
            }
        }
        emit("pushed \(count)")
    } catch {
        fail("\(error)")
    }

case "attach-prices":
    do {
        let store = try PriceStore.attach(names: SegmentNames(prefix: arguments[2]))
        emit("attached \(store.symbolCapacity)")
    } catch {
        emit("error: \(error)")
        exit(3)
    }

default:
    fail("unknown mode \(arguments[1])")
}
