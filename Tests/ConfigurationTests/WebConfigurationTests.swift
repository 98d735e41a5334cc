import Foundation
import Testing

@testable import zmface

/// worker.json's `web` and `faces` sections: off by default, loopback unless allowed, and a remote
/// page never without a token.
@Suite("web configuration")
struct WebConfigurationTests {
    func parse(_ json: String) throws(ConfigurationError) -> ServerConfiguration {
        try ServerConfiguration.fromWorkerJSON(try! JSONValue.parse(Data(json.utf8)))
    }

    func error(_ json: String) -> String {
        do {
            _ = try parse(json)
            return "accepted"
        } catch {
            return error.description
        }
    }

    @Test("No web section or no address: no page; with an address the documented defaults")
    func defaults() throws {
        #expect(try parse("{}").web == nil)
        #expect(try parse(#"{"web": {"allowRemote": true}}"#).web == nil)
        let web = try #require(try parse(#"{"web": {"address": "127.0.0.1:8088"}}"#).web)
        #expect(web.host == "127.0.0.1" && web.port == 8088 && web.token == nil && !web.allowRemote)
        #expect(web.maxUploadBytes == 10_485_760 && web.maxUploadPixels == 40_000_000)
        let v6 = try #require(try parse(#"{"web": {"address": "[::1]:9000"}}"#).web)
        #expect(v6.host == "::1" && v6.port == 9000)
    }

    @Test("A non-loopback address needs allowRemote and a token; loopback needs neither")
    func addressPolicy() throws {
        #expect(error(#"{"web": {"address": "0.0.0.0:8088"}}"#).contains("not a loopback address"))
        #expect(error(#"{"web": {"address": "192.168.1.5:8088", "allowRemote": true}}"#).contains("web.token"))
        #expect(
            error(#"{"web": {"address": "0.0.0.0:8088", "token": "0123456789abcdef0123"}}"#).contains("allowRemote"))
        let remote = try #require(
            try parse(#"{"web": {"address": "0.0.0.0:8088", "allowRemote": true, "token": "0123456789abcdef0123"}}"#)
                .web)
        #expect(remote.token == "0123456789abcdef0123")
        #expect(try parse(#"{"web": {"address": "localhost:8088", "allowRemote": true}}"#).web?.token == nil)
    }

    @Test("Bad values are refused with the field's name")
    func badValues() throws {
        #expect(error(#"{"web": {"address": "8088"}}"#).contains("web.address"))
        #expect(error(#"{"web": {"address": "127.0.0.1:99999"}}"#).contains("web.address"))
        #expect(error(#"{"web": {"address": "127.0.0.1:1", "token": "short"}}"#).contains("at least 16"))
        #expect(error(#"{"web": {"address": "127.0.0.1:1", "zoneminderURL": "zm.lan"}}"#).contains("zoneminderURL"))
        #expect(error(#"{"web": {"address": "127.0.0.1:1", "colour": "red"}}"#).contains("colour"))
        #expect(
            error(#"{"web": {"address": "127.0.0.1:1", "token": "0123456789abcdef", "tokenFile": "/x"}}"#)
                .contains("cannot both"))
        #expect(error(#"{"faces": {"cropsPath": "relative/crops"}}"#).contains("faces.cropsPath"))
        #expect(error(#"{"faces": {"keep": "some"}}"#).contains("faces.keep"))
    }

    @Test("The token file's first line is the token")
    func tokenFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("web-token-\(UUID())")
        try "abcdefghijklmnopqrstuvwxyz\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let web = try #require(
            try parse(#"{"web": {"address": "127.0.0.1:8088", "tokenFile": "\#(file.path)"}}"#).web)
        #expect(web.token == "abcdefghijklmnopqrstuvwxyz")
    }

    @Test("The faces section's folders reach the page's settings")
    func facesFolders() throws {
        let config = try parse(
            #"{"faces": {"cropsPath": "/var/lib/zmface/crops", "datasetPath": "/var/lib/zmface/dataset"},"#
                + #" "web": {"address": "127.0.0.1:8088", "zoneminderURL": "http://zm.lan/zm"}}"#)
        let settings = try #require(config.web).settings(faces: config.faces)
        #expect(settings.cropsPath == "/var/lib/zmface/crops" && settings.datasetPath == "/var/lib/zmface/dataset")
        #expect(settings.zoneminderURL == "http://zm.lan/zm")
    }
}
