/// `--only`: the benchmarks whose names start with one of the comma-separated prefixes. A prefix
/// that names none of the command's benchmarks is refused: a typo used to run nothing and exit 0.
struct BenchSelection {
    private let prefixes: [Substring]?

    init(only: String?, known: [String]) throws {
        guard let only else {
            prefixes = nil
            return
        }
        let list = only.split(separator: ",")
        guard !list.isEmpty else { throw CommandFailure("--only: expected benchmark names, was none") }
        for prefix in list where !known.contains(where: { $0.hasPrefix(prefix) }) {
            throw CommandFailure("--only: expected the start of one of \(known.joined(separator: ", ")), was \(prefix)")
        }
        prefixes = list
    }

    /// Whether benchmark `name` is to run.
    func contains(_ name: String) -> Bool {
        prefixes?.contains { name.hasPrefix($0) } ?? true
    }

    /// Whether any benchmark of the group `name` is to run (`--only gateway.frame_to_shm.okx`
    /// selects the group `gateway.frame_to_shm`).
    func touches(_ name: String) -> Bool {
        prefixes?.contains { name.hasPrefix($0) || $0.hasPrefix(name) } ?? true
    }
}
