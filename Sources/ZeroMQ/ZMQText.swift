extension String {
    /// The text libzmq wrote into a buffer, up to its first NUL. ZeroMQ is a plain wrapper that
    /// depends on nothing of zmface's own, so it keeps this one line rather than import the domain
    /// module that has the same helper for dlib's and FFmpeg's messages.
    init(zmqText buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
