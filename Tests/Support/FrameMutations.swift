import DraizerCore

/// Frames altered the ways a broken connection, a buggy venue or a hostile peer would alter them:
/// for tests that feed them to parsers and services, which must answer with an error, never trap
/// or hang. Seeded (`SplitMix64`), so that a failure is reproduced by running the test again.
public enum FrameMutations {
    /// Numbers a venue should never send, in place of one that it did.
    public static let hostileNumbers = [
        "99999999999999999999999999", "-99999999999999999999", "1e308", "1e-400", "NaN", "-0", "", "0.0000000000000000000000001",
        "18446744073709551616", "9223372036854775808", "-9223372036854775808", "\"\"", "null", "[]", "{}", "0x10", "1.2.3", "--1",
        "1" + String(repeating: "0", count: 40), "0." + String(repeating: "0", count: 40) + "1",
    ]

    /// `count` cuts and `count` alterations of `frame`.
    public static func mutations(of frame: [UInt8], count: Int, using random: inout SplitMix64) -> [[UInt8]] {
        var out: [[UInt8]] = []
        // Cut short anywhere (a frame split by a broken aggregator, a closed connection): `count`
        // places at random, every place of a short frame.
        let cuts = frame.count <= count ? Array(0..<frame.count) : (0..<count).map { _ in Int.random(in: 0..<frame.count, using: &random) }
        out += cuts.map { Array(frame[..<$0]) }
        let digitRuns = Self.numberRuns(frame)
        for _ in 0..<count {
            var mutated = frame
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where !digitRuns.isEmpty:
                let run = digitRuns.randomElement(using: &random)!
                mutated.replaceSubrange(run, with: Array(hostileNumbers.randomElement(using: &random)!.utf8))
            case 1 where !mutated.isEmpty:
                mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 2 where mutated.count > 1:
                let start = Int.random(in: 0..<mutated.count, using: &random)
                mutated.removeSubrange(start..<min(mutated.count, start + Int.random(in: 1...16, using: &random)))
            case 3 where mutated.count > 1:
                let start = Int.random(in: 0..<mutated.count, using: &random)
                let piece = mutated[start..<min(mutated.count, start + Int.random(in: 1...64, using: &random))]
                mutated.insert(contentsOf: piece, at: Int.random(in: 0...mutated.count, using: &random))
            default:
                let structural: [UInt8] = Array(#"{}[]":,\"#.utf8)
                mutated.insert(structural.randomElement(using: &random)!, at: Int.random(in: 0...mutated.count, using: &random))
            }
            out.append(mutated)
        }
        return out
    }

    /// The byte ranges of the numbers in a frame (digits, a sign, a point, an exponent).
    public static func numberRuns(_ frame: [UInt8]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var index = 0
        func isNumberByte(_ byte: UInt8) -> Bool { (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x2D || byte == 0x65 || byte == 0x45 }
        while index < frame.count {
            guard frame[index] >= 0x30 && frame[index] <= 0x39 else {
                index += 1
                continue
            }
            let start = index
            while index < frame.count, isNumberByte(frame[index]) { index += 1 }
            runs.append(start..<index)
        }
        return runs
    }

    /// Each number of a frame in turn replaced by the edges of 64-bit integers: a value the
    /// parser accepts, then scales (seconds to milliseconds, hours to milliseconds), must not
    /// overflow.
    public static let edgeNumbers = ["9223372036854775807", "9999999999999999999", "-1", "0"]

    public static func numberReplacements(of frame: [UInt8]) -> [[UInt8]] {
        numberRuns(frame).flatMap { run in
            edgeNumbers.map { number in
                var replaced = frame
                replaced.replaceSubrange(run, with: Array(number.utf8))
                return replaced
            }
        }
    }
}
