/// Why the WebSocket connection must fail, with the close code to send (RFC 6455 §7.1.7).
/// `reason` is a fixed, short, ASCII text: it may go into the close frame as is.
public struct WebSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: CloseCode
    public var reason: String

    public init(_ code: CloseCode, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "WebSocket \(code.rawValue): \(reason)" }
}
