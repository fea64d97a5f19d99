import FastPath
import Strategies

/// Opportunities whose tick-to-decision exceeded `DetectorLoop.slowTickNanos`, by where the time
/// went: the notice was taken right after this loop's CPU had been away (`detectorAway`); else it
/// was taken that late (`beforeNotice`: the gateway's own work on the frame — a sweep's large diff —
/// or its CPU being away, or the loop busy with other notices or side work); else the decision
/// itself took it.
struct SlowTicks {
    var count: UInt64 = 0
    var detectorAway: UInt64 = 0
    var beforeNotice: UInt64 = 0
    var decision: UInt64 = 0

    mutating func counted(popped: Int64, record: OpportunityRecord, stalls: BusyLoopStalls) {
        count &+= 1
        if popped == stalls.lastEndNanos {
            detectorAway &+= 1
        } else if popped - record.tickReceivedNanos > DetectorLoop.slowTickNanos {
            beforeNotice &+= 1
        } else {
            decision &+= 1
        }
    }

    var json: String {
        #"{"count":\#(count),"detector_cpu_away":\#(detectorAway),"before_notice":\#(beforeNotice),"in_decision":\#(decision)}"#
    }
}
