import Foundation
import ServiceKit

/// A service's `status` reply over its control socket, as a JSON object.
enum ServiceStatus {
    static func fetch(_ socket: String, timeoutMillis: Int = 5000) throws -> [String: Any] {
        let text = try ControlSocketServer.request(path: socket, command: "status", timeoutMillis: timeoutMillis)
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CommandFailure("\(socket): expected a JSON object from status, was \(text.prefix(200))")
        }
        return object
    }
}
