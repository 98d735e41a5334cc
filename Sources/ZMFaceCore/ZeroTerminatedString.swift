extension String {
    /// The text in a C character buffer up to its first NUL (the whole buffer if there is none),
    /// as the C libraries write messages and names into buffers we hand them.
    public init(zeroTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
