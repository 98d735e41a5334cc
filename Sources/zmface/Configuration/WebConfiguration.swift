import Foundation
import Web
import ZeroMQ

/// worker.json's `web` webSection: the faces page and its API (off without `address`).
struct WebConfiguration: Equatable {
    var host: String
    var port: Int
    var allowRemote = false
    /// From `token`, or read from `tokenFile` when the configuration is loaded.
    var token: String?
    var zoneminderURL: String?
    var maxUploadBytes = 10 << 20
    var maxUploadPixels = 40_000_000
    var assetsPath: String?

    /// The server's settings, with the crops and dataset folders of `faces`.
    func settings(faces: FacesConfiguration) -> WebSettings {
        WebSettings(
            host: host, port: port, token: token, zoneminderURL: zoneminderURL, maxUploadBytes: maxUploadBytes,
            maxUploadPixels: maxUploadPixels, assetsPath: assetsPath, cropsPath: faces.cropsPath,
            datasetPath: faces.datasetPath)
    }

    /// Loopback unless `allowRemote`; anything else also needs a token (a page that can rename and
    /// delete must not be open to the network).
    static func checkExposure(address: String, allowRemote: Bool, hasToken: Bool) throws(ConfigurationError) {
        do {
            try EndpointPolicy.checkExposure("tcp://\(address)", allowRemote: allowRemote)
        } catch {
            throw .invalid("web.address", "\(address) is not a loopback address: set web.allowRemote and web.token")
        }
        if allowRemote && !hasToken
            && (try? EndpointPolicy.checkExposure("tcp://\(address)", allowRemote: false)) == nil
        {
            throw .invalid("web.token", "is required when web.address (\(address)) is not a loopback address")
        }
    }
}

extension ServerConfiguration {
    mutating func readWebSection(_ root: inout JSONFields) throws(ConfigurationError) {
        guard var webSection = try root.object("web") else { return }
        let address = try webSection.string("address")
        let allowRemote = try webSection.bool("allowRemote", default: false)
        let token = try webSection.string("token")
        let tokenFile = try webSection.string("tokenFile")
        let zoneminderURL = try webSection.string("zoneminderURL")
        let maxUploadBytes = try webSection.int("maxUploadBytes", default: 10 << 20, in: 1024...(1 << 30))
        let maxUploadPixels = try webSection.int("maxUploadPixels", default: 40_000_000, in: 1...1_000_000_000)
        let assetsPath = try webSection.string("assetsPath")
        try webSection.rejectUnknownFields()
        guard let address else { return }  // the webSection without an address: no page
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port), colon != address.startIndex
        else { throw .invalid("web.address", "must be host:port, not \"\(address)\"") }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if token != nil, tokenFile != nil { throw .invalid("web.tokenFile", "and web.token cannot both be set") }
        var web = WebConfiguration(host: host, port: port, allowRemote: allowRemote, token: token)
        if let tokenFile {
            do {
                // One line; the newline an editor adds is not part of the token.
                let text = try String(contentsOfFile: tokenFile, encoding: .utf8)
                web.token = String(text.prefix { $0 != "\n" && $0 != "\r" })
            } catch {
                throw .invalid("web.tokenFile", "cannot read \(tokenFile): \((error as NSError).localizedDescription)")
            }
        }
        if let token = web.token, token.count < 16 {
            throw .invalid(tokenFile == nil ? "web.token" : "web.tokenFile", "must be at least 16 characters")
        }
        if let zoneminderURL, !(zoneminderURL.hasPrefix("http://") || zoneminderURL.hasPrefix("https://")) {
            throw .invalid("web.zoneminderURL", "must start with http:// or https://, not \"\(zoneminderURL)\"")
        }
        try WebConfiguration.checkExposure(address: address, allowRemote: allowRemote, hasToken: web.token != nil)
        web.zoneminderURL = zoneminderURL
        web.maxUploadBytes = maxUploadBytes
        web.maxUploadPixels = maxUploadPixels
        web.assetsPath = assetsPath
        self.web = web
    }
}
