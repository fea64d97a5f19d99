extension String {
    /// The string as a JSON string literal, quotes included (for hand-built JSON lines).
    public var jsonQuoted: String {
        var result = "\""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

extension Double {
    /// The number as JSON text, rounded to 1/`scale` (10_000: four decimals); `ifNotFinite` for
    /// NaN and the infinities, which JSON has no word for; unrounded where scaling would overflow
    /// (1e308 stays 1e+308 rather than becoming `inf`, which is no JSON either).
    public func jsonText(roundedTo scale: Double, ifNotFinite: String) -> String {
        guard isFinite else { return ifNotFinite }
        let rounded = (self * scale).rounded() / scale
        return rounded.isFinite ? String(rounded) : String(self)
    }
}
