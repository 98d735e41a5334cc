/// What can go wrong before the client runs (later failures are outages, retried and logged).
public enum MQTTError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String, String)
    /// libmosquitto refused a setting (an unreadable CA file, a bad client id…).
    case setup(String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let problem): "MQTT URL \"\(url)\" \(problem)"
        case .setup(let problem): "MQTT client setup failed: \(problem)"
        }
    }
}
