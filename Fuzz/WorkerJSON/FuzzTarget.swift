// libFuzzer target for worker.json's parsing layer (Sources/zmface/Configuration/JSONFields.swift:
// the JSON reader that keeps numbers and booleans apart and the typed, field-naming reads every
// section of ServerConfiguration is built from), compiled alone by scripts/fuzz. What must hold
// for any file: parsing and every typed read either succeed or throw ConfigurationError; nothing
// crashes, traps on a huge or fractional number, or recurses without bound.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func workerJSONFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    guard let json = try? JSONValue.parse(bytes) else { return 0 }
    walk(json, path: "", depth: 0)
    return 0
}

/// Reads every field of every object with each typed accessor, as ServerConfiguration does.
private func walk(_ value: JSONValue, path: String, depth: Int) {
    guard depth < 32, case .object(let object) = value else { return }
    for key in object.keys {
        var fields = try! JSONFields(value, path: path)
        _ = try? fields.int(key, default: 1, in: 0...64)
        _ = try? fields.int(key, default: 0, in: Int.min...Int.max)
        _ = try? fields.double(key, default: 0, in: -1e300...1e300)
        _ = try? fields.bool(key, default: false)
        _ = try? fields.string(key)
        _ = try? fields.strings(key)
        _ = try? fields.ints(key, in: 1...Int(Int32.max))
        if let nested = try? fields.object(key) {
            _ = nested
            walk(object[key]!, path: path.isEmpty ? key : "\(path).\(key)", depth: depth + 1)
        }
        do {
            try fields.rejectUnknownFields()
        } catch {
            _ = error.description
        }
    }
}
