/// Plain decimal text of fixed-point values (`drz_write_decimal`).
public enum DecimalText {
    /// Bytes a caller leaves at the write position: the longest text is 33 bytes, and the writer
    /// may store past the text's end.
    public static let room = 40
}
