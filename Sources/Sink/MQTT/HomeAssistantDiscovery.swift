/// Home Assistant MQTT discovery: the retained config messages that make zmface's topics appear as
/// entities with no YAML. Every config carries what Home Assistant requires and uses to group and
/// track entities: `name`, `unique_id`, `state_topic`, `device`, `availability` (zmface's
/// availability topic with its last will) and `origin`.
struct HomeAssistantDiscovery: Sendable {
    let topics: MQTTTopics
    let serverID: String

    struct Availability: Codable, Sendable, Equatable {
        var topic: String
        var payload_available = "online"
        var payload_not_available = "offline"
    }

    struct Device: Codable, Sendable, Equatable {
        var identifiers: [String]
        var name: String
        var manufacturer = "zmface"
        var model: String
        /// Camera devices hang off the server's device.
        var via_device: String?
    }

    struct Origin: Codable, Sendable, Equatable {
        var name = "zmface"
    }

    /// One entity's config (the keys Home Assistant reads; nil ones are left out).
    struct Config: Codable, Sendable, Equatable {
        var name: String
        var unique_id: String
        var state_topic: String
        var availability: [Availability]
        var device: Device
        var origin = Origin()
        var qos: Int
        var value_template: String?
        var json_attributes_topic: String?
        var device_class: String?
        var payload_on: String?
        var payload_off: String?
        var event_types: [String]?
        var icon: String?
    }

    private var availability: [Availability] { [Availability(topic: topics.availability)] }

    private var serverDevice: Device {
        Device(identifiers: [topics.nodeID], name: "zmface \(serverID)", model: "face recognition for ZoneMinder")
    }

    private func cameraDevice(monitor: Int, camera: String) -> Device {
        Device(
            identifiers: ["\(topics.nodeID)_camera_\(monitor)"], name: "\(camera) (zmface)",
            model: "ZoneMinder monitor \(monitor)", via_device: topics.nodeID)
    }

    /// `binary_sensor` (device class presence): on while the person was seen within the presence
    /// timeout; the attributes are the person's last sighting.
    func presence(person name: String, qos: Int) -> (topic: String, config: Config) {
        let object = "person_\(MQTTTopics.slug(name))_presence"
        return (
            topics.discovery("binary_sensor", object: object),
            Config(
                name: name, unique_id: "\(topics.nodeID)_\(object)",
                state_topic: topics.presence(person: name), availability: availability, device: serverDevice, qos: qos,
                json_attributes_topic: topics.lastSeen(person: name), device_class: "presence", payload_on: "ON",
                payload_off: "OFF", icon: "mdi:account-eye")
        )
    }

    /// `sensor`: the camera's last recognized face (the name), with the sighting as attributes.
    func lastRecognized(monitor: Int, camera: String, qos: Int) -> (topic: String, config: Config) {
        let object = "camera_\(monitor)_last_recognized_face"
        let state = topics.lastRecognized(monitor: monitor)
        return (
            topics.discovery("sensor", object: object),
            Config(
                name: "Last recognized face", unique_id: "\(topics.nodeID)_\(object)", state_topic: state,
                availability: availability,
                device: cameraDevice(monitor: monitor, camera: camera), qos: qos,
                value_template: "{{ value_json.name }}", json_attributes_topic: state, icon: "mdi:face-recognition")
        )
    }

    /// `event`: fires `unknown_face` when the camera shows a face the model does not know.
    func unknownFace(monitor: Int, camera: String, qos: Int) -> (topic: String, config: Config) {
        let object = "camera_\(monitor)_unknown_face"
        return (
            topics.discovery("event", object: object),
            Config(
                name: "Unknown face", unique_id: "\(topics.nodeID)_\(object)",
                state_topic: topics.unknownFace(monitor: monitor), availability: availability,
                device: cameraDevice(monitor: monitor, camera: camera), qos: qos, event_types: ["unknown_face"],
                icon: "mdi:face-recognition")
        )
    }
}
