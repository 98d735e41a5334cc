import Foundation
import MQTT
import Testing

@testable import zmface

/// worker.json's `mqtt` section: defaults, every field, and a clear error for each mistake.
@Suite("mqtt configuration")
struct MQTTConfigurationTests {
    func parse(_ mqtt: String) throws(ConfigurationError) -> ServerConfiguration {
        let json = try! JSONValue.parse(Data("{\"mqtt\": \(mqtt)}".utf8))
        return try ServerConfiguration.fromWorkerJSON(json)
    }

    func error(_ mqtt: String) -> String {
        do {
            _ = try parse(mqtt)
            return "accepted"
        } catch {
            return error.description
        }
    }

    @Test("Off without the section; with only a url, the documented defaults")
    func defaults() throws {
        #expect(try ServerConfiguration.fromWorkerJSON(JSONValue.parse(Data("{}".utf8))).mqtt == nil)
        let mqtt = try #require(try parse(#"{"url": "mqtt://broker.lan"}"#).mqtt)
        #expect(mqtt.broker == MQTTBrokerAddress(host: "broker.lan", port: 1883, tls: false))
        #expect(mqtt.topicPrefix == "zmface" && mqtt.discoveryPrefix == "homeassistant" && mqtt.discovery)
        #expect(mqtt.qos == 1 && mqtt.presenceTimeoutSeconds == 600 && mqtt.outboxCapacity == 10_000)
        let client = mqtt.clientSettings(serverID: "nvr")
        #expect(client.clientID == "zmface-nvr" && client.availabilityTopic == "zmface/availability")
        #expect(client.resendTrigger?.topic == "homeassistant/status" && client.resendTrigger?.payload == "online")
    }

    @Test("Every field is read; the password comes from its file without the newline")
    func everyField() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mqtt-conf-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("password").path
        let caFile = directory.appendingPathComponent("ca.crt").path
        try "s3cret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try "not checked here".write(toFile: caFile, atomically: true, encoding: .utf8)
        let mqtt = try #require(
            try parse(
                """
                {"url": "mqtts://[::1]:8884", "caFile": "\(caFile)", "username": "zm", "passwordFile": "\(passwordFile)",
                 "clientId": "cam-box", "topicPrefix": "home/faces", "discoveryPrefix": "ha", "discovery": false,
                 "qos": 2, "presenceTimeoutSeconds": 90, "outboxCapacity": 50}
                """
            ).mqtt)
        #expect(mqtt.broker == MQTTBrokerAddress(host: "::1", port: 8884, tls: true) && mqtt.caFile == caFile)
        #expect(mqtt.username == "zm" && mqtt.password == "s3cret" && mqtt.clientID == "cam-box")
        #expect(mqtt.topicPrefix == "home/faces" && mqtt.discoveryPrefix == "ha" && !mqtt.discovery)
        #expect(mqtt.qos == 2 && mqtt.presenceTimeoutSeconds == 90 && mqtt.outboxCapacity == 50)
        let client = mqtt.clientSettings(serverID: "nvr")
        #expect(client.resendTrigger == nil && client.availabilityTopic == "home/faces/availability")
        #expect(client.qos == 2 && client.outboxCapacity == 50 && client.password == "s3cret")
    }

    @Test(
        "Mistakes name the field",
        arguments: [
            (#"{"url": "mqtt://h", "retain": true}"#, "'mqtt.retain' is not a known setting"),
            (#"{}"#, "'mqtt.url' is required"),
            (#"{"url": "http://h:1883"}"#, "must start with mqtt:// or mqtts://"),
            (#"{"url": "mqtt://h:0"}"#, "port that is not 1-65535"),
            (#"{"url": "mqtt://user:pw@h"}"#, "credentials go in username/password"),
            (#"{"url": "mqtt://h", "qos": 3}"#, "'mqtt.qos' must be between 0 and 2"),
            (#"{"url": "mqtt://h", "caFile": "/etc/hostname"}"#, "'mqtt.caFile' needs an mqtts:// url"),
            (#"{"url": "mqtts://h", "caFile": "/nonexistent/ca.crt"}"#, "cannot read /nonexistent/ca.crt"),
            (#"{"url": "mqtt://h", "username": "u", "password": "p", "passwordFile": "/x"}"#, "cannot both be set"),
            (#"{"url": "mqtt://h", "password": "p"}"#, "'mqtt.username' is required with a password"),
            (#"{"url": "mqtt://h", "username": "u", "passwordFile": "/nonexistent"}"#, "cannot read /nonexistent"),
            (#"{"url": "mqtt://h", "topicPrefix": "zm/#"}"#, "'mqtt.topicPrefix' must be a topic without + or #"),
            (#"{"url": "mqtt://h", "discoveryPrefix": "/ha"}"#, "'mqtt.discoveryPrefix' must be a topic"),
            (#"{"url": "mqtt://h", "presenceTimeoutSeconds": 0}"#, "'mqtt.presenceTimeoutSeconds' must be between"),
            (#"{"url": "mqtt://h", "outboxCapacity": 0}"#, "'mqtt.outboxCapacity' must be between"),
            (#"{"url": 1883}"#, "'mqtt.url' must be a string"),
        ])
    func mistakes(mqtt: String, expected: String) {
        let message = error(mqtt)
        #expect(message.contains(expected), "\(mqtt): \(message)")
    }

    @Test("Broker URLs: default ports, IPv6 in brackets, a trailing slash")
    func brokerURLs() throws {
        #expect(
            try MQTTBrokerAddress(url: "mqtts://broker") == MQTTBrokerAddress(host: "broker", port: 8883, tls: true))
        #expect(
            try MQTTBrokerAddress(url: "mqtt://10.0.0.2:1884/")
                == MQTTBrokerAddress(host: "10.0.0.2", port: 1884, tls: false))
        #expect(try MQTTBrokerAddress(url: "mqtt://[fe80::1]").description == "mqtt://[fe80::1]:1883")
        #expect(throws: MQTTError.self) { try MQTTBrokerAddress(url: "mqtt://") }
        #expect(throws: MQTTError.self) { try MQTTBrokerAddress(url: "mqtt://h/topic") }
        #expect(throws: MQTTError.self) { try MQTTBrokerAddress(url: "mqtt://[::1") }
    }
}
