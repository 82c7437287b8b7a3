import Curation
import Foundation

/// The `serve` HTTP request parser on raw socket bytes, with small limits so the size checks are
/// reached (Sources/Curation/HTTP/HTTPRequestParser.swift, the function the server's read loop calls).
enum HTTPRequestTarget: FuzzTarget {
    static let name = "http-request"

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let buffer = [UInt8](bytes)
        _ = HTTPRequestParser.parse(buffer, maxHeaderBytes: 1024, maxBodyBytes: 4096)
        _ = HTTPRequestParser.parse(buffer, maxHeaderBytes: 16 * 1024, maxBodyBytes: 1 << 20)
    }
}
